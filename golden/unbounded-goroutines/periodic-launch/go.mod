module example.com/periodic

go 1.22
