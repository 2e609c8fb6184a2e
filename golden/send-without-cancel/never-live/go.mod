module example.com/neverlive

go 1.22
