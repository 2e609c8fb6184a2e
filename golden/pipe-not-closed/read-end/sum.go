package readend

import (
	"encoding/json"
	"fmt"
	"io"
)

// Sum adds up the numbers a producer streams as JSON, and refuses a negative one.
func Sum(nums []int) (int, error) {
	pr, pw := io.Pipe() // want "pr is left open at line 33 while the goroutine writes pw"
	go func() {
		enc := json.NewEncoder(pw)
		for _, n := range nums {
			if err := enc.Encode(n); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	dec := json.NewDecoder(pr)
	total := 0
	for {
		var n int
		if err := dec.Decode(&n); err == io.EOF {
			break
		} else if err != nil {
			pr.CloseWithError(err)
			return 0, err
		}
		if n < 0 {
			return 0, fmt.Errorf("negative number %d", n)
		}
		total += n
	}
	pr.Close()
	return total, nil
}
