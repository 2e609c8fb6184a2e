module wrongfix/tempo_1

go 1.22
