module example.com/transport

go 1.22
