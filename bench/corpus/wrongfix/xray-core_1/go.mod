module wrongfix/xray-core_1

go 1.22
