module example.com/conddefer

go 1.22
