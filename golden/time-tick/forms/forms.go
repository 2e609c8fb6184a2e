package forms

import (
	"strings"
	clock "time"
)

// Settle waits one beat before going on: a single receive.
func Settle() {
	<-clock.Tick(20 * clock.Millisecond) // want "clock.Tick\\(20 \\* clock.Millisecond\\) starts a ticker that nothing can stop, to wait once"
}

// Pump forwards in to out until in closes; it gives up when no value comes for a second.
func Pump(in <-chan int, out chan<- int) bool {
	for {
		select {
		case v, ok := <-in:
			if !ok {
				return true
			}
			out <- v
		case <-clock.Tick(clock.Second): // want "clock.Tick\\(clock.Second\\) inside a loop starts a new ticker on every pass"
			return false
		}
	}
}

// Throttle counts the values of in, one per beat; the beat is a variable, whose sign
// decides what time.Tick does.
func Throttle(in <-chan int, every clock.Duration) (n int) {
	for range in {
		<-clock.Tick(every) // want "clock.Tick\\(every\\) inside a loop starts a new ticker on every pass"
		n++
	}
	return n
}

// Quote reports a stock's price three times, then its volume as many times.
func Quote(symbol string, d clock.Duration, report func(string, int), price, volume func(string) int) {
	ticker := strings.ToUpper(symbol)
	n := 0
	for range clock.Tick(d) { // want "for range clock.Tick\\(d\\) starts a ticker"
		report(ticker, price(ticker))
		if n++; n == 3 {
			break
		}
	}
	// as many volume reports as price reports
	for range clock.Tick(d) { // want "for range clock.Tick\\(d\\) starts a ticker"
		report(ticker, volume(ticker))
		if n--; n == 0 {
			break
		}
	}
}

// Countdown calls emit with n, n-1, ... 1, a millisecond apart.
func Countdown(n int, emit func(int)) {
	for range clock.Tick(clock.Millisecond) { // want "for range clock.Tick\\(clock.Millisecond\\) starts a ticker"
		if n == 0 {
			return
		}
		emit(n)
		n--
	}
}
