module example.com/waitgroup-waiter

go 1.22
