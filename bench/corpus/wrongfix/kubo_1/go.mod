module wrongfix/kubo_1

go 1.22
