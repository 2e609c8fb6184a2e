module example.com/drained

go 1.22
