module example.com/some-paths

go 1.22
