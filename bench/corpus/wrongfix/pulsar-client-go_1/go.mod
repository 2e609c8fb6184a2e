module wrongfix/pulsar-client-go_1

go 1.22
