module example.com/funcvalue

go 1.22
