module example.com/comma-ok

go 1.22
