module example.com/function-writer

go 1.22
