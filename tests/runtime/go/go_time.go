// go_time: time.Sleep, time.Ticker, time.After and timers (Go's timers sleep in its
// netpoller: epoll_pwait with a timeout, or futex sleeps, depending on the runtime's state).
package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	time.Sleep(30 * time.Millisecond)
	fmt.Println("sleep: at least 30ms:", time.Since(start) >= 30*time.Millisecond)

	t := time.NewTicker(10 * time.Millisecond)
	ticks := 0
	start = time.Now()
	for range t.C {
		ticks++
		if ticks == 5 {
			break
		}
	}
	t.Stop()
	fmt.Println("ticker: 5 ticks in at least 50ms:", time.Since(start) >= 50*time.Millisecond)

	select {
	case <-time.After(20 * time.Millisecond):
		fmt.Println("after: fired")
	case <-time.After(5 * time.Second):
		fmt.Println("after: the long one fired first")
	}

	timer := time.NewTimer(time.Hour)
	fmt.Println("timer: stopped before firing:", timer.Stop())
	timer.Reset(15 * time.Millisecond)
	<-timer.C
	fmt.Println("timer: reset and fired")

	done := make(chan int)
	for i := 0; i < 10; i++ {
		go func(i int) {
			time.Sleep(time.Duration(10-i) * 3 * time.Millisecond)
			done <- i
		}(i)
	}
	order := []int{}
	for i := 0; i < 10; i++ {
		order = append(order, <-done)
	}
	fmt.Println("sleepers woke in order of their deadlines:", order)
	mono := time.Now()
	fmt.Println("monotonic clock goes forward:", time.Since(mono) >= 0)
}
