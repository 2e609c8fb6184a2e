module example.com/heal

go 1.22
