module example.com/consume

go 1.22
