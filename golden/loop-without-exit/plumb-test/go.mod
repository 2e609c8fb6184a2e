module example.com/plumbtest

go 1.24
