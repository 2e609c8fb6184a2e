module example.com/failingmaker

go 1.22
