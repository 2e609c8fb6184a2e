module example.com/bodiless

go 1.22
