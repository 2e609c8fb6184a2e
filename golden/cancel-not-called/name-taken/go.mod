module example.com/name-taken

go 1.22
