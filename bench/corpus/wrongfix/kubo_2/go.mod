module wrongfix/kubo_2

go 1.22
