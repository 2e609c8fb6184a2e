module example.com/message

go 1.22
