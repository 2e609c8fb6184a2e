module example.com/forever

go 1.22
