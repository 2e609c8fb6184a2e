module example.com/openended

go 1.22
