module example.com/first-error

go 1.22
