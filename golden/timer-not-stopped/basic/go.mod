module example.com/wait

go 1.22
