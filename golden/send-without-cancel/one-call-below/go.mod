module example.com/below

go 1.22
