module example.com/testifycheck

go 1.22

require github.com/stretchr/testify v0.0.0

replace github.com/stretchr/testify => ./xtestify
