module example.com/bwlimit

go 1.22
