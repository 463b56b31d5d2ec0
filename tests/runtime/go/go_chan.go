// go_chan: goroutines and channels - a worker pool over unbuffered and buffered channels, a
// WaitGroup, select over several channels with a quit channel, and a mutex-guarded map, on
// as many OS threads as the runtime starts (GOMAXPROCS follows sched_getaffinity).
package main

import (
	"fmt"
	"sort"
	"sync"
)

func worker(id int, jobs <-chan int, results chan<- [2]int, wg *sync.WaitGroup) {
	defer wg.Done()
	for n := range jobs {
		s := 0
		for i := 1; i <= n; i++ {
			s += i * i
		}
		results <- [2]int{n, s}
	}
}

func pool() {
	jobs := make(chan int)
	results := make(chan [2]int, 100)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go worker(w, jobs, results, &wg)
	}
	for n := 1; n <= 100; n++ {
		jobs <- n * 100
	}
	close(jobs)
	wg.Wait()
	close(results)
	var all [][2]int
	for r := range results {
		all = append(all, r)
	}
	sort.Slice(all, func(i, j int) bool { return all[i][0] < all[j][0] })
	fmt.Println("pool:", len(all), "results; first", all[0], "last", all[len(all)-1])
}

func pipeline() {
	src := make(chan int)
	sq := make(chan int)
	go func() {
		for i := 0; i < 1000; i++ {
			src <- i
		}
		close(src)
	}()
	go func() {
		for v := range src {
			sq <- v * v
		}
		close(sq)
	}()
	sum := 0
	for v := range sq {
		sum += v
	}
	fmt.Println("pipeline: sum of squares below 1000 =", sum)
}

func selects() {
	a, b, quit := make(chan int), make(chan int), make(chan bool)
	go func() {
		for i := 0; i < 50; i++ {
			a <- i
			b <- -i
		}
		quit <- true
	}()
	na, nb := 0, 0
	for done := false; !done; {
		select {
		case <-a:
			na++
		case <-b:
			nb++
		case <-quit:
			done = true
		}
	}
	fmt.Println("select:", na, "from a,", nb, "from b")
}

func counters() {
	var mu sync.Mutex
	m := map[int]int{}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				mu.Lock()
				m[i%10]++
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
	fmt.Println("mutex: m[0] =", m[0], "m[9] =", m[9], "len", len(m))
}

func main() {
	pool()
	pipeline()
	selects()
	counters()
}
