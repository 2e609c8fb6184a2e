module example.com/assigned

go 1.22
