// gohttp - a Go net/http static file server for the real-server tests
// (tests/servers/servers_test.sh) and bench/http: serves DIR on TCP PORT, every address.
//
//	gohttp PORT DIR
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gohttp PORT DIR")
		os.Exit(2)
	}
	fmt.Printf("gohttp: serving %s on :%s\n", os.Args[2], os.Args[1])
	err := http.ListenAndServe(":"+os.Args[1], http.FileServer(http.Dir(os.Args[2])))
	fmt.Fprintln(os.Stderr, "gohttp:", err)
	os.Exit(1)
}
