module example.com/stopowns

go 1.24
