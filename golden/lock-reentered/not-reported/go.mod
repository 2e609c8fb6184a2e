module example.com/not-reported

go 1.22
