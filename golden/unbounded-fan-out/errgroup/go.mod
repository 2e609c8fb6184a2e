module example.com/errgroup

go 1.22

require golang.org/x/sync v0.0.0

replace golang.org/x/sync => ./xsync
