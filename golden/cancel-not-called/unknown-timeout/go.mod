module example.com/unknowntimeout

go 1.22
