module example.com/notreported

go 1.25
