module example.com/handed-on

go 1.22
