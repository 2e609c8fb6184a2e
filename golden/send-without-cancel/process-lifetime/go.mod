module example.com/process-lifetime

go 1.22
