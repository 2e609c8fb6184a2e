module example.com/expected-failure

go 1.22
