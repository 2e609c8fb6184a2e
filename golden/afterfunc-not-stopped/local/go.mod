module example.com/handshake

go 1.22
