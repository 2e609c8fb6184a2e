module example.com/shorttimeout

go 1.22
