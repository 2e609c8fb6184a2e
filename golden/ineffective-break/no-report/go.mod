module example.com/noreport

go 1.22
