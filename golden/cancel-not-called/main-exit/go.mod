module example.com/mainexit

go 1.22
