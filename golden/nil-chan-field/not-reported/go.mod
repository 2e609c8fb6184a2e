module example.com/filled

go 1.22
