module example.com/selflimiting

go 1.22
