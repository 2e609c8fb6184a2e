module example.com/each

go 1.22
