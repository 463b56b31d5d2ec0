// go_signal: os/signal.Notify with signals the program sends itself (kill and tgkill through
// syscall.Kill and the runtime's own signal handling on its alternate signal stacks).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func wait(c chan os.Signal, what string) {
	select {
	case s := <-c:
		fmt.Println(what+": got", s)
	case <-time.After(5 * time.Second):
		fmt.Println(what + ": nothing within 5s")
	}
}

func main() {
	c := make(chan os.Signal, 4)
	signal.Notify(c, syscall.SIGUSR1, syscall.SIGHUP)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	wait(c, "SIGUSR1")
	p, _ := os.FindProcess(os.Getpid())
	p.Signal(syscall.SIGHUP)
	wait(c, "SIGHUP")

	signal.Ignore(syscall.SIGUSR2)
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	time.Sleep(20 * time.Millisecond)
	fmt.Println("SIGUSR2 ignored: still running")

	signal.Stop(c)
	d := make(chan os.Signal, 1)
	signal.Notify(d, syscall.SIGUSR1)
	for i := 0; i < 3; i++ {
		syscall.Kill(os.Getpid(), syscall.SIGUSR1)
		wait(d, fmt.Sprintf("SIGUSR1 #%d", i+2))
	}
	signal.Reset()
	fmt.Println("done")
}
