module wrongfix/xray-core_2

go 1.22
