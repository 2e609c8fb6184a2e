module example.com/parentdone

go 1.22
