module wrongfix/gocron_1

go 1.22
