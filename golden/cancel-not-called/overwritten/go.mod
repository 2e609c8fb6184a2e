module example.com/overwritten

go 1.22
