module example.com/meaning

go 1.22
