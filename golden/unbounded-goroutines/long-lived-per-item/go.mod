module example.com/scrape

go 1.22
