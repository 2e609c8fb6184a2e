module wrongfix/kubo_3

go 1.22
