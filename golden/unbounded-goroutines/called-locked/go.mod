module example.com/calledlocked

go 1.22
