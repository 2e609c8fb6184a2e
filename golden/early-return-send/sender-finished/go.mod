module example.com/finished

go 1.22
