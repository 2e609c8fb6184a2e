module example.com/feedsitsloop

go 1.22
