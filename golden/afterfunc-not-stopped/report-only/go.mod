module example.com/reportonly

go 1.22
