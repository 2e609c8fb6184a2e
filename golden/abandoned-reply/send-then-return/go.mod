module example.com/sendthenreturn

go 1.22
