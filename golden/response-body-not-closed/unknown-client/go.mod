module example.com/unknown-client

go 1.22
