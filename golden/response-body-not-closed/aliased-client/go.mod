module example.com/aliased-client

go 1.22
