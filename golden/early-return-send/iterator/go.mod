module example.com/iterator

go 1.23
