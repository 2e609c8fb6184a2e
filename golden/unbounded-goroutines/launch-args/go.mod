module example.com/launchargs

go 1.22
