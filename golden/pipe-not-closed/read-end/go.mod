module example.com/readend

go 1.22
