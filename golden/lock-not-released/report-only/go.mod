module example.com/report-only

go 1.22
