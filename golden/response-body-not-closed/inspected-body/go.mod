module example.com/inspected-body

go 1.22
