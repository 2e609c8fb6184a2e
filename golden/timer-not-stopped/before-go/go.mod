module example.com/timerbeforego

go 1.22
