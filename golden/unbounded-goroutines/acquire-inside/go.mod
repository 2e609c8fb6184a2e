module example.com/copyall

go 1.22
