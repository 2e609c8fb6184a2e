module example.com/handedon

go 1.22
