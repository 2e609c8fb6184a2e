module wrongfix/juicefs_1

go 1.22
