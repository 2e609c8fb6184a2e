module example.com/owner

go 1.22
