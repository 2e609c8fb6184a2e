module example.com/lc

go 1.22
