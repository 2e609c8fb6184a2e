module example.com/review

go 1.22
