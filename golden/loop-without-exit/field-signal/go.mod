module example.com/fieldsignal

go 1.22
