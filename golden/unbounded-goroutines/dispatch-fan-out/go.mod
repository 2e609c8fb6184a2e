module example.com/supervisor

go 1.22
