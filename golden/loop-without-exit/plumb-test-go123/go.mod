module example.com/plumbtestold

go 1.23
