module example.com/ownstop

go 1.22
