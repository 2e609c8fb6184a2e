module example.com/labeled

go 1.22
