module example.com/somepaths

go 1.22
