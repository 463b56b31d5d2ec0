#!/bin/sh
# petrel_stdio_test.sh <build dir> <source dir>: the program's standard streams under
# `petrel run` (docs/petrel.md), each compared with the same command run natively:
# 1 MiB piped through cat and gzip -c byte for byte; every byte value written to a file;
# stdout and stderr kept apart; a program that polls stdin to its end (a pipe: EPOLLHUP);
# an empty stdin; Ctrl-C delivered as SIGINT to the program, and a second Ctrl-C within a
# second stopping the VM (exit 130); and the stdout throughput (50 MiB in 1 MiB writes, timed
# by the program around its writes), printed (bench/run judges it against the issue's 50 MB/s;
# the serial console moved 0.3 MB/s).
NAME=petrel-stdio
bg=""
CLEANUP='for p in $bg; do kill "$p" 2>/dev/null; done'
. "$(dirname "$0")/petrel_lib.sh"

same() { # same <name> <file> <native file>
    cmp -s "$2" "$3" || {
        fail "$1: $2 differs from the native $3"
        cmp "$2" "$3" | head -3
    }
}

gcc -O2 -static -o "$T/prog" "$S/tools/tests/petrel_stdio.c" || exit 1
head -c 1048576 /dev/urandom >"$T/rand"

# 1 MiB through cat and gzip -c (from a pipe: gzip stores no name and no time)
cat "$T/rand" | "$P" run -q /bin/cat >"$T/cat.out" 2>"$T/cat.err" || fail "cat: exit $?"
same cat "$T/cat.out" "$T/rand"
cat "$T/rand" | gzip -c >"$T/gz.native"
cat "$T/rand" | "$P" run -q /bin/gzip -c >"$T/gz.out" 2>"$T/gz.err" || fail "gzip: exit $?"
same gzip "$T/gz.out" "$T/gz.native"

# every byte value, 4096 times, into a file
"$T/prog" bytes 4096 >"$T/bytes.native"
"$P" run -q "$T/prog" bytes 4096 >"$T/bytes.out" 2>"$T/bytes.err" || fail "bytes: exit $?"
same bytes "$T/bytes.out" "$T/bytes.native"

# stdout and stderr apart
"$T/prog" split >"$T/split.native.out" 2>"$T/split.native.err"
"$P" run -q "$T/prog" split >"$T/split.out" 2>"$T/split.err" || fail "split: exit $?"
same split.stdout "$T/split.out" "$T/split.native.out"
same split.stderr "$T/split.err" "$T/split.native.err"

# poll on stdin to its end, from a pipe; an empty pipe; stdin at its end at once
head -c 300000 "$T/rand" | "$T/prog" poll >"$T/poll.native"
head -c 300000 "$T/rand" | "$P" run -q "$T/prog" poll >"$T/poll.out" 2>&1 || fail "poll: exit $?"
same poll "$T/poll.out" "$T/poll.native"
: | "$T/prog" poll >"$T/poll0.native"
: | "$P" run -q "$T/prog" poll >"$T/poll0.out" 2>&1 || fail "poll (empty): exit $?"
same poll.empty "$T/poll0.out" "$T/poll0.native"
"$P" run -q /bin/cat </dev/null >"$T/null.out" 2>&1 || fail "cat </dev/null: exit $?"
[ ! -s "$T/null.out" ] || fail "cat </dev/null printed $(cat "$T/null.out")"

# wait_ready <file>: up to 60 s for the program's "ready" line
wait_ready() {
    i=0
    while ! grep -q ready "$1" 2>/dev/null && [ $i -lt 600 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}

# Ctrl-C: SIGINT reaches the program's handler (stdin stays open: it blocks in read)
mkfifo "$T/fifo"
"$P" run -q "$T/prog" sigint <"$T/fifo" >"$T/int.out" 2>"$T/int.err" &
pid=$!
bg="$bg $pid"
exec 3>"$T/fifo" # held open: the program's stdin never ends
wait_ready "$T/int.out"
kill -INT "$pid"
wait "$pid"
rc=$?
exec 3>&-
printf 'ready\nsigint\n' >"$T/int.expected"
[ "$rc" -eq 0 ] || fail "sigint: exit $rc; stderr $(cat "$T/int.err")"
same sigint "$T/int.out" "$T/int.expected"

# a program that ignores SIGINT: the second Ctrl-C within a second stops the VM
"$P" run -q "$T/prog" ignint >"$T/ign.out" 2>"$T/ign.err" </dev/null &
pid=$!
bg="$bg $pid"
wait_ready "$T/ign.out"
start=$(date +%s)
kill -INT "$pid"
sleep 0.3
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] || fail "second Ctrl-C: exit $rc, expected 130"
grep -q "second Ctrl-C" "$T/ign.err" || fail "second Ctrl-C: stderr $(cat "$T/ign.err")"
[ $(($(date +%s) - start)) -lt 20 ] || fail "second Ctrl-C: the VM took too long to stop"

# messages: a program killed by a fault gets one line on stderr (the kernel's console) and
# 128 + the signal, as natively; a kernel that cannot start the program makes petrel exit 125
"$T/prog" segv 2>/dev/null
native=$?
"$P" run -q "$T/prog" segv >"$T/segv.out" 2>"$T/segv.err"
rc=$?
[ "$rc" -eq "$native" ] || fail "segv: exit $rc, natively $native"
grep -q "^petrel: $T/prog killed by SIGSEGV at 0x10 (rip 0x[0-9a-f]*)\$" "$T/segv.err" ||
    fail "segv: stderr $(cat "$T/segv.err")"
[ ! -s "$T/segv.out" ] || fail "segv: stdout $(cat "$T/segv.out")"
# (mkfs refuses a program that is not in the image: a dangling link gets past it to the kernel)
printf '(children:(nolink:(linktarget:/no/such/program)) program:/nolink)\n' >"$T/noprog.manifest"
"$P" run -q --manifest "$T/noprog.manifest" "$T/prog" >"$T/noprog.out" 2>"$T/noprog.err"
rc=$?
[ "$rc" -eq 125 ] || fail "no program: exit $rc, expected 125"
grep -q "cannot open program /nolink: ENOENT" "$T/noprog.err" ||
    fail "no program: the kernel's reason is missing: $(cat "$T/noprog.err")"
grep -q "petrel: the kernel could not start the program" "$T/noprog.err" ||
    fail "no program: $(cat "$T/noprog.err")"

# throughput: 50 MiB of stdout into a file, timed by the program around its writes (the
# boot's time, which moves by seconds under load, left out)
"$P" run -q "$T/prog" mb 50 >"$T/mb.out" 2>"$T/mb.err" || fail "mb: exit $?"
size=$(wc -c <"$T/mb.out")
[ "$size" -eq 52428800 ] || fail "mb: $size bytes, expected 52428800"
"$T/prog" mb 50 2>/dev/null | cmp -s - "$T/mb.out" || fail "mb: output differs from native"
us=$(sed -n 's/^mb 50 MiB in \([0-9]*\) us$/\1/p' "$T/mb.err")
[ -n "$us" ] || { fail "mb: no time: $(cat "$T/mb.err")"; us=1; }
[ "$us" -gt 0 ] || us=1
echo "stdout throughput: 50 MiB in $((us / 1000)) ms: $((52428800 / us)) MB/s (load: $(cut -d' ' -f1 /proc/loadavg))"
# The figure is printed, not tested: a timed test fails on a loaded host (7 MB/s at load 32),
# and the issue's >= 50 MB/s is a benchmark row (bench/run prints it with its verdict).

[ "$fails" -eq 0 ] && echo "petrel_stdio_test: all passed"
exit $((fails > 0))
