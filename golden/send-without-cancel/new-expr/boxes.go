package boxes

import "context"

// Box holds a value and where it came from.
type Box struct {
	Value  *int
	Source *string
}

// Boxes emits each of nums, doubled and boxed, until they run out.
func Boxes(ctx context.Context, source string, nums ...int) <-chan Box {
	out := make(chan Box)
	go func() {
		defer close(out)
		for _, n := range nums {
			out <- Box{Value: new(n * 2), Source: new(source + "/" + name(n))} // want "send on out blocks forever once its receiver is gone, although ctx could end the goroutine"
		}
	}()
	return out
}

func name(n int) string {
	return string(rune('a' + n))
}
