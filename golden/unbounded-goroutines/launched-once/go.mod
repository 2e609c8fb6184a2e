module example.com/launched-once

go 1.22
