module example.com/gotoexit

go 1.22
