module example.com/failed-only

go 1.22
