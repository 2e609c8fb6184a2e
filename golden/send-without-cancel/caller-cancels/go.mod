module example.com/callercancels

go 1.22
