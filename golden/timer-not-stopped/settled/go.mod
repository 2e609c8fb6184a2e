module example.com/settled

go 1.22
