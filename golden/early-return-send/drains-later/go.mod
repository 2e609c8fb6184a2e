module example.com/drains

go 1.22
