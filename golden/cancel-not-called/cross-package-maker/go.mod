module example.com/crossmaker

go 1.22
