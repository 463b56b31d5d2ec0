// go_gc: the garbage collector under allocation pressure - many short-lived allocations from
// several goroutines with a small live set, explicit runtime.GC() calls, finalizers, and
// debug.FreeOSMemory (madvise of freed spans).
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

type node struct {
	next *node
	data [256]byte
}

var finalized int32

func churn(id int, wg *sync.WaitGroup, keep []*node) {
	defer wg.Done()
	var list *node
	for i := 0; i < 20000; i++ {
		n := &node{next: list}
		n.data[0] = byte(i)
		list = n
		if i%1000 == 999 {
			list = nil // drop the chain: garbage
		}
	}
	keep[id] = &node{}
}

func main() {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	keep := make([]*node, 8)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go churn(g, &wg, keep)
	}
	wg.Wait()
	for i := 0; i < 20; i++ {
		o := &node{}
		runtime.SetFinalizer(o, func(*node) { atomic.AddInt32(&finalized, 1) })
	}
	big := make([][]byte, 0)
	for i := 0; i < 64; i++ {
		big = append(big, make([]byte, 1<<20))
		if len(big) > 4 {
			big = big[1:]
		}
	}
	runtime.GC()
	runtime.GC()
	for i := 0; i < 100 && atomic.LoadInt32(&finalized) < 20; i++ {
		time.Sleep(time.Millisecond)
		runtime.GC()
	}
	debug.FreeOSMemory()
	runtime.ReadMemStats(&after)
	fmt.Println("collections ran:", after.NumGC > before.NumGC)
	fmt.Println("allocated more than 100 MB in total:", after.TotalAlloc-before.TotalAlloc > 100<<20)
	fmt.Println("live heap under 64 MB:", after.HeapAlloc < 64<<20)
	fmt.Println("finalizers run:", atomic.LoadInt32(&finalized))
	fmt.Println("kept:", len(keep), keep[7] != nil, len(big))
}
