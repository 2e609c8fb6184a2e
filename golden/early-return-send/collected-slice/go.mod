module example.com/collected

go 1.23
