module example.com/var-block

go 1.22
