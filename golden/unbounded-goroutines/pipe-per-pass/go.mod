module example.com/pipeperpass

go 1.22
