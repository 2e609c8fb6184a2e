module example.com/semaphore-before-go

go 1.22
