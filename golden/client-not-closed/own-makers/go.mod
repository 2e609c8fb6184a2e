module example.com/failover

go 1.22
