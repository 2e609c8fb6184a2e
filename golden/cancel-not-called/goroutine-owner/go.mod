module example.com/goroutine-owner

go 1.22
