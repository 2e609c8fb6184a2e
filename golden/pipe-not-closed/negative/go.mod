module example.com/negative

go 1.22
