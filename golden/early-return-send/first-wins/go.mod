module example.com/first-wins

go 1.22
