module example.com/partner

go 1.22
