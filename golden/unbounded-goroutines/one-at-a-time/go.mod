module example.com/oneatatime

go 1.22
