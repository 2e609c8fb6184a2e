module example.com/inloop

go 1.22
