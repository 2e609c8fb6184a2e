module example.com/counted-pool

go 1.22
