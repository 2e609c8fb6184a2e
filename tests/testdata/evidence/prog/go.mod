module example.com/dumps

go 1.24
