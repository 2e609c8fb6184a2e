module example.com/owned-elsewhere

go 1.22
