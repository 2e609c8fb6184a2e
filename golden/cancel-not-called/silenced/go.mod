module example.com/silenced

go 1.22
