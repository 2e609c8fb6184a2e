module example.com/broadcast

go 1.22
