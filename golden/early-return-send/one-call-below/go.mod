module example.com/onecall

go 1.22
