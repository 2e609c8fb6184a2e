module example.com/fixed-literal

go 1.22
