// go_files: the os package's file APIs on the program's filesystem (under tmp/, relative to
// the cwd so the native run uses the staged tree).
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

func check(err error) {
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func main() {
	dir := filepath.Join("tmp", "gofiles")
	check(os.RemoveAll(dir))
	check(os.MkdirAll(filepath.Join(dir, "sub", "deeper"), 0755))
	p := filepath.Join(dir, "a.txt")
	check(os.WriteFile(p, []byte("hello\n"), 0644))
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	check(err)
	_, err = f.WriteString("world\n")
	check(err)
	check(f.Close())
	b, err := os.ReadFile(p)
	check(err)
	fmt.Printf("read back: %q\n", b)
	st, err := os.Stat(p)
	check(err)
	fmt.Println("stat:", st.Name(), st.Size(), st.Mode(), st.IsDir())

	f, err = os.Open(p)
	check(err)
	_, err = f.Seek(6, io.SeekStart)
	check(err)
	rest, err := io.ReadAll(f)
	check(err)
	fmt.Printf("after seek: %q\n", rest)
	check(f.Close())

	check(os.Rename(p, filepath.Join(dir, "sub", "b.txt")))
	check(os.Symlink("b.txt", filepath.Join(dir, "sub", "link")))
	target, err := os.Readlink(filepath.Join(dir, "sub", "link"))
	check(err)
	fmt.Println("readlink:", target)
	check(os.WriteFile(filepath.Join(dir, "c.txt"), make([]byte, 100000), 0600))
	check(os.Truncate(filepath.Join(dir, "c.txt"), 4096))

	var names []string
	check(filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		check(err)
		names = append(names, fmt.Sprintf("%s %d %v", path, map[bool]int64{true: 0, false: info.Size()}[info.IsDir()], info.Mode()))
		return nil
	}))
	sort.Strings(names)
	for _, n := range names {
		fmt.Println("walk:", n)
	}
	_, err = os.Stat(filepath.Join(dir, "missing"))
	fmt.Println("missing file is IsNotExist:", os.IsNotExist(err))
	err = os.Remove(filepath.Join(dir, "sub"))
	fmt.Println("removing a non-empty directory fails:", err != nil)
	check(os.RemoveAll(dir))
	_, err = os.Stat(dir)
	fmt.Println("removed:", os.IsNotExist(err))
	wd, err := os.Getwd()
	check(err)
	fmt.Println("getwd is absolute:", filepath.IsAbs(wd))
}
