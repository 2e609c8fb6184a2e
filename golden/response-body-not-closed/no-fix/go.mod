module example.com/no-fix

go 1.22
