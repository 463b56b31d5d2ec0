// go_panic: a nil-pointer dereference (a SIGSEGV the runtime turns into a panic from its
// signal handler), recovered; the same in a goroutine; an integer division by zero (SIGFPE)
// and an index out of range, recovered; then a panic that is not recovered (exit status 2).
package main

import (
	"fmt"
	"os"
)

type T struct{ x int }

var zero = 0

func deref(p *T) (err interface{}) {
	defer func() { err = recover() }()
	return p.x
}

func divide(a int) (err interface{}) {
	defer func() { err = recover() }()
	return a / zero
}

func index(i int) (err interface{}) {
	defer func() { err = recover() }()
	s := []int{1, 2, 3}
	return s[i]
}

func main() {
	fmt.Println("nil deref:", deref(nil))
	done := make(chan interface{})
	go func() { done <- deref(nil) }()
	fmt.Println("nil deref in a goroutine:", <-done)
	fmt.Println("divide:", divide(7))
	fmt.Println("index:", index(len(os.Args)+5))
	for i := 0; i < 100; i++ {
		if deref(nil) == nil {
			fmt.Println("not recovered at", i)
		}
	}
	fmt.Println("100 more recovered")
	if len(os.Args) > 1 && os.Args[1] == "crash" {
		var p *T
		fmt.Println(p.x)
	}
}
