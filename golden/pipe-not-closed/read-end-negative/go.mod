module example.com/readendneg

go 1.22
