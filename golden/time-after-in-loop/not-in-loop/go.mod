module example.com/notinloop

go 1.22
