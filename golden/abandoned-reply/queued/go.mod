module example.com/queued

go 1.22
