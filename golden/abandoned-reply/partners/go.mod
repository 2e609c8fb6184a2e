module example.com/partners

go 1.22
