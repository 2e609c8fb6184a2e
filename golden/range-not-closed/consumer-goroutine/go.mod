module example.com/consumer-goroutine

go 1.22
