module example.com/newtimer

go 1.22
