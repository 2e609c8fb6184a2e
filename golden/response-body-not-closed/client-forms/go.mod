module example.com/client-forms

go 1.22
