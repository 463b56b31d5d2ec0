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

	start = time.Now() // before the ticker takes its first deadline from the clock
	t := time.NewTicker(10 * time.Millisecond)
	ticks := 0
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

	// Eight sleepers with deadlines 25 ms apart from one base. Their wake-up order is not
	// printed: on a loaded host (natively too) a stall makes several deadlines due at once,
	// and then the order is the Go scheduler's choice. What holds every time: none wakes
	// before its deadline (a timer firing early, or a sleep cut short, breaks it) and each
	// wakes (a lost timer leaves its goroutine asleep past the 5 s bound).
	type wake struct {
		i     int
		early bool
		late  bool
	}
	done := make(chan wake)
	base := time.Now()
	for i := 0; i < 8; i++ {
		go func(i int) {
			deadline := base.Add(time.Duration(8-i) * 25 * time.Millisecond)
			time.Sleep(time.Until(deadline))
			now := time.Now()
			done <- wake{i, now.Before(deadline), now.Sub(deadline) > 5*time.Second}
		}(i)
	}
	woke, early, late := 0, 0, 0
	for i := 0; i < 8; i++ {
		w := <-done
		woke |= 1 << w.i
		if w.early {
			early++
		}
		if w.late {
			late++
		}
	}
	fmt.Printf("sleepers: all woke %v, before their deadline %d, more than 5 s late %d\n",
		woke == 0xff, early, late)
	mono := time.Now()
	fmt.Println("monotonic clock goes forward:", time.Since(mono) >= 0)
}
