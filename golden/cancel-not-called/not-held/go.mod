module example.com/notheld

go 1.22
