module example.com/pusher

go 1.22
