module example.com/handedsome

go 1.22
