module example.com/namedtype

go 1.22
