module wrongfix/dubbo-go_1

go 1.22
