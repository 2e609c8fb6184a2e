module example.com/beforego

go 1.21
