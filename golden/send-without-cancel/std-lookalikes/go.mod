module example.com/lookalikes

go 1.22
