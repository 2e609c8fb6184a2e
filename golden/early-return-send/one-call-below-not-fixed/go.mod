module example.com/notfixed

go 1.22
