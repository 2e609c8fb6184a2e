module example.com/err-nil-branch

go 1.22
