#!/bin/sh
# petrel_runtimes_test.sh <build dir> <source dir>: runtimes through `petrel run`, each
# compared with the same command run natively (docs/petrel.md, "Runtime files" and "Tests"):
# the runtime rules on a fixture tree (`petrel deps`: a python3.9 layout with its modules,
# skipped names, a module whose library is missing, a link out of the tree); python3 -c with
# threads, json, hashlib, re and a file in /tmp, and ssl/zoneinfo/locale/sqlite3 (the certs, tz
# and locale sets, modules with their libraries); perl with POSIX and List::Util; busybox sh (a loop and arithmetic), find,
# tar creating an archive in /tmp and an archive piped between two runs; a dynamic pthreads
# program (glibc and musl); a static Go program; and the diagnostics --summary and
# --missing-files, and fault:t's backtrace with symbols (the program's, musl's libc).
# (1 MiB through cat and gzip, stdout/stderr apart and a program polling stdin are in
# petrel_stdio_test.sh.) About 60 s under TCG on a loaded machine.
NAME=petrel-rt
. "$(dirname "$0")/petrel_lib.sh"

# same <name> <file> <native file>
same() {
    cmp -s "$2" "$3" || {
        fail "$1: differs from the native run:"
        diff "$3" "$2" | head -20
    }
}

# run <name> -- petrel arguments...: $T/<name>.out, .err; fails on a nonzero exit
run() {
    name=$1
    shift 2
    "$P" run -q --timeout 300 "$@" >"$T/$name.out" 2>"$T/$name.err" ||
        fail "$name: exit $?; stderr: $(head -c 2000 "$T/$name.err")"
}

# --- the rules on a fixture tree (no boot) ---------------------------------------------------
F=$T/fx
mkdir -p "$F/bin" "$F/lib/python3.9/json" "$F/lib/python3.9/__pycache__" "$F/lib/python3.9/test" \
    "$F/lib/python3.9/config-3.9-x86_64-linux-gnu" "$F/lib/python3.9/lib-dynload" "$F/lib2" \
    "$F/etc/python3.9" "$F/lib/python3"
printf 'int main(void) { return 0; }\n' >"$T/main.c"
printf 'int petrel_b(void) { return 2; }\n' >"$T/b.c"
printf 'int petrel_b(void); int petrel_m(void) { return petrel_b(); }\n' >"$T/m.c"
gcc -o "$F/bin/python3.9" "$T/main.c" &&
    gcc -shared -fPIC -Wl,-soname,libpb.so.1 -o "$F/lib2/libpb.so.1" "$T/b.c" &&
    gcc -shared -fPIC -o "$F/lib/python3.9/lib-dynload/_m.cpython-39-x86_64-linux-gnu.so" \
        "$T/m.c" -L"$F/lib2" -l:libpb.so.1 -Wl,-rpath,'$ORIGIN/../../../lib2' \
        -Wl,--enable-new-dtags &&
    gcc -shared -fPIC -Wl,-soname,libgone.so.7 -o "$T/libgone.so.7" "$T/b.c" &&
    gcc -shared -fPIC -o "$F/lib/python3.9/lib-dynload/_bad.cpython-39-x86_64-linux-gnu.so" \
        "$T/m.c" -L"$T" -l:libgone.so.7 || exit 1
rm "$T/libgone.so.7"
for f in os.py json/__init__.py __pycache__/os.cpython-39.pyc __pycache__/os.cpython-39.opt-1.pyc \
    test/test_os.py config-3.9-x86_64-linux-gnu/libpython3.9.a; do
    echo "# $f" >"$F/lib/python3.9/$f"
done
echo "# site" >"$F/etc/python3.9/sitecustomize.py"
ln -s ../../etc/python3.9/sitecustomize.py "$F/lib/python3.9/sitecustomize.py"
"$P" deps "$F/bin/python3.9" >"$T/fx.out" 2>"$T/fx.err" || fail "deps fixture: exit $?"
for want in "$F/lib/python3.9/os.py (runtime)" "$F/lib/python3.9/json/__init__.py (runtime)" \
    "$F/lib/python3.9/__pycache__/os.cpython-39.pyc (runtime)" \
    "$F/lib/python3.9/lib-dynload/_m.cpython-39-x86_64-linux-gnu.so (runtime)" \
    "$F/lib2/libpb.so.1 (libpb.so.1)" \
    "$F/lib/python3.9/sitecustomize.py -> ../../etc/python3.9/sitecustomize.py (runtime)" \
    "$F/etc/python3.9/sitecustomize.py (runtime)" "# runtime python"; do
    grep -qxF -- "$want" "$T/fx.out" || grep -q "^$want" "$T/fx.out" ||
        fail "deps fixture: no '$want' in: $(cat "$T/fx.out")"
done
for unwanted in opt-1.pyc test_os.py libpython3.9.a _bad.cpython "$F/lib/python3/"; do
    ! grep -v '^#' "$T/fx.out" | grep -qF -- "$unwanted" ||
        fail "deps fixture: '$unwanted' was included"
done
grep -q "1 left out: .*_bad.cpython-39-x86_64-linux-gnu.so: library libgone.so.7" "$T/fx.out" ||
    fail "deps fixture: the module with a missing library is not reported: $(tail -1 "$T/fx.out")"
# no version in the name: Python's landmark (os.py) picks lib/python3.9, not lib/python3
cp "$F/bin/python3.9" "$F/bin/python3"
"$P" deps "$F/bin/python3" >"$T/fx3.out" 2>&1
grep -qF "$F/lib/python3.9/os.py (runtime)" "$T/fx3.out" || fail "deps python3: no os.py"
# a program no rule knows gets nothing more
gcc -o "$T/plain" "$T/main.c"
"$P" deps "$T/plain" >"$T/plain.out" 2>&1
! grep -q runtime "$T/plain.out" || fail "deps plain: runtime files for a plain program"

# --- python3 -c: threads, json, hashlib, re, a file in /tmp ---------------------------------
PY=/usr/bin/python3
if [ -x "$PY" ]; then
    cat >"$T/work.py" <<'EOF'
import hashlib, json, os, re, threading

results = {}
lock = threading.Lock()

def worker(n):
    h = hashlib.sha256()
    for i in range(2000):
        h.update(f"{n}:{i}".encode())
    with lock:
        results[n] = h.hexdigest()

threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
path = "/tmp/petrel-py-test.%d.json" % os.getpid()
with open(path, "w") as f:
    json.dump({"results": results, "md5": hashlib.md5(b"petrel").hexdigest()}, f, sort_keys=True)
with open(path) as f:
    data = json.load(f)
os.remove(path)
digests = "".join(data["results"][k] for k in sorted(data["results"]))
print(len(data["results"]), data["md5"], len(re.findall(r"[a-f]+\d", digests)), digests[:16])
print(re.sub(r"(\w+)@(\w+)", r"\2 at \1", "user@example"), os.path.exists(path))
EOF
    (cd / && "$PY" -c "$(cat "$T/work.py")") >"$T/py.native" 2>&1
    t0=$(date +%s)
    run py -- "$PY" -c "$(cat "$T/work.py")"
    echo "python3 -c: $(($(date +%s) - t0)) s (image build included)"
    same python "$T/py.out" "$T/py.native"
    run py100 -- "$PY" -c 'print(2**100)'
    echo 1267650600228229401496703205376 >"$T/py100.native"
    same python.print "$T/py100.out" "$T/py100.native"
    # the certs, tz and locale sets and extension modules with their own libraries
    data='import ssl, zoneinfo, locale, sqlite3, decimal
print(ssl.create_default_context().cert_store_stats()["x509_ca"] > 10, zoneinfo.ZoneInfo("Europe/Paris"))
print(locale.getpreferredencoding(), sqlite3.connect(":memory:").execute("select 1+1").fetchone(), decimal.Decimal(1) / 7)'
    (cd / && env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/ "$PY" -c "$data") >"$T/pydata.native" 2>&1
    run pydata -- "$PY" -c "$data"
    same python.data "$T/pydata.out" "$T/pydata.native"
fi

# --- perl: its modules (pure Perl and XS) ---------------------------------------------------
PL=/usr/bin/perl
if [ -x "$PL" ]; then
    pl='use POSIX (); use List::Util qw(sum max); use Data::Dumper; $Data::Dumper::Sortkeys = 1;
print sum(1..100), " ", max(3, 9, 4), " ", POSIX::floor(7.9), "\n", Dumper({a => [1, 2]});'
    (cd / && "$PL" -e "$pl") >"$T/perl.native" 2>&1
    run perl -- "$PL" -e "$pl"
    same perl "$T/perl.out" "$T/perl.native"
fi

# --- busybox: sh with a loop and arithmetic, find, tar -------------------------------------
BB=$(command -v busybox)
if [ -n "$BB" ]; then
    loop='i=0; s=0; while [ $i -lt 300 ]; do s=$((s + i * i % 7)); i=$((i + 1)); done; echo "$i $s"'
    "$BB" sh -c "$loop" >"$T/bbsh.native"
    run bbsh -- "$BB" sh -c "$loop"
    same busybox.sh "$T/bbsh.out" "$T/bbsh.native"
    mkdir -p "$T/tree/a/b" "$T/tree/c"
    echo one >"$T/tree/a/one.txt"
    echo two >"$T/tree/a/b/two.txt"
    head -c 5000 /dev/urandom >"$T/tree/c/blob"
    (cd "$T/tree" && "$BB" find . | sort) >"$T/find.native"
    run find -- --dir "$T/tree:/data" "$BB" sh -c 'cd /data && exec busybox find .'
    sort "$T/find.out" >"$T/find.sorted"
    same busybox.find "$T/find.sorted" "$T/find.native"
    # tar creating an archive in /tmp (-v lists what it adds), then an archive on stdout
    # listed by a second run reading it on stdin (one process per VM: no `tar; tar`)
    (cd "$T/tree" && "$BB" tar -cvf "$T/native.tar" a c 2>&1 | sort) >"$T/tarc.native"
    run tarc -- --dir "$T/tree:/data" "$BB" sh -c \
        'cd /data && exec busybox tar -cvf /tmp/t.tar a c 2>&1'
    sort "$T/tarc.out" >"$T/tarc.sorted"
    same busybox.tar.create "$T/tarc.sorted" "$T/tarc.native"
    "$BB" tar -tf "$T/native.tar" | sort >"$T/tart.native"
    "$P" run -q --timeout 300 --dir "$T/tree:/data" "$BB" tar -cf - -C /data a c 2>"$T/tarp.err" |
        "$P" run -q --timeout 300 "$BB" tar -tf - >"$T/tart.out" 2>"$T/tart.err" ||
        fail "tar pipe: exit $?: $(cat "$T/tarp.err" "$T/tart.err")"
    sort "$T/tart.out" >"$T/tart.sorted"
    same busybox.tar.list "$T/tart.sorted" "$T/tart.native"
fi

# --- dynamic pthreads programs: glibc and musl ------------------------------------------------
gcc -O2 -pthread -o "$T/thr_glibc" "$S/tests/runtime/progs/threads_sync.c" || exit 1
"$T/thr_glibc" >"$T/thr.native"
run thr_glibc -- "$T/thr_glibc"
same threads.glibc "$T/thr_glibc.out" "$T/thr.native"
if command -v musl-gcc >/dev/null; then
    musl-gcc -O2 -pthread -o "$T/thr_musl" "$S/tests/runtime/progs/threads_sync.c" || exit 1
    "$T/thr_musl" >"$T/thr_musl.native"
    run thr_musl -- "$T/thr_musl"
    same threads.musl "$T/thr_musl.out" "$T/thr_musl.native"
fi

# --- a static Go program (built by tests/runtime/families/go.cmake) ---------------------------
GO=$B/tests/runtime/go/go_chan
if [ -x "$GO" ]; then
    "$GO" >"$T/go.native" 2>&1
    run go -- "$GO"
    same go "$T/go.out" "$T/go.native"
    "$P" deps "$GO" | grep -q "# runtime go: certs, tz" || fail "go: no certs/tz rule"
else
    echo "skipped: no $GO (go not installed)"
fi

# --- diagnostics: --summary and --missing-files on the kernel's channel -----------------------
if [ -n "$BB" ]; then
    "$P" run -q --timeout 300 --summary --missing-files "$BB" cat /no/such/file \
        >"$T/diag.out" 2>"$T/diag.err"
    rc=$?
    [ "$rc" -eq 1 ] || fail "diag: exit $rc, expected 1 (as busybox cat natively)"
    grep -q "^petrel: syscall summary" "$T/diag.err" || fail "diag: no summary: $(cat "$T/diag.err")"
    grep -Eq "^ *[0-9.]+ +[0-9.]+ +[0-9]+ +1 +1 open(at)?$" "$T/diag.err" ||
        fail "diag: no open row with one error: $(cat "$T/diag.err")"
    grep -Eq " total$" "$T/diag.err" || fail "diag: no total row"
    grep -q "^petrel: missing files (open or exec failed with ENOENT), 1:" "$T/diag.err" &&
        grep -Eq "^  /no/such/file \(open(at)?\)$" "$T/diag.err" ||
        fail "diag: /no/such/file not listed: $(cat "$T/diag.err")"
    [ ! -s "$T/diag.out" ] || fail "diag: the report reached stdout: $(cat "$T/diag.out")"
fi

# --- fault:t: registers and a backtrace with symbols from the program's and libc's tables ---
cat >"$T/crash.c" <<'EOF'
#include <stdio.h>
#include <string.h>
__attribute__((noinline)) void crash_here(volatile int *p) { *p = 1; }
__attribute__((noinline)) void level2(int *p) { crash_here(p); puts("not reached"); }
__attribute__((noinline)) void level1(int *p) { level2(p); puts("not reached"); }
int main(int argc, char **argv)
{
    if (argc > 1) /* in a library: musl's strlen, exported by its libc.so */
        return (int)strlen(argc > 5 ? argv[0] : (const char *)0x10);
    level1((int *)0x10);
    return 0;
}
EOF
printf '(fault:t)\n' >"$T/fault.manifest"
gcc -O0 -fno-omit-frame-pointer -o "$T/crash" "$T/crash.c" || exit 1
"$P" run -q --timeout 300 --manifest "$T/fault.manifest" "$T/crash" >/dev/null 2>"$T/crash.err"
rc=$?
[ "$rc" -eq 139 ] || fail "fault: exit $rc, expected 139"
grep -E '^ +#[0-9]+ 0x[0-9a-f]+ ' "$T/crash.err" |
    sed 's/^ *#\([0-9]*\) 0x[0-9a-f]* \([a-z_0-9]*\)+0x[0-9a-f]*$/\1 \2/' >"$T/crash.frames"
printf '0 crash_here\n1 level2\n2 level1\n3 main\n' >"$T/crash.want"
same fault.symbols "$T/crash.frames" "$T/crash.want"
grep -q "^  rax [0-9a-f]\{16\} rbx" "$T/crash.err" || fail "fault: no registers: $(cat "$T/crash.err")"
if command -v musl-gcc >/dev/null; then
    musl-gcc -O0 -fno-omit-frame-pointer -o "$T/crashm" "$T/crash.c" || exit 1
    "$P" run -q --timeout 300 --manifest "$T/fault.manifest" "$T/crashm" lib >/dev/null \
        2>"$T/crashm.err"
    grep -Eq '^ +#0 0x[0-9a-f]+ strlen\+0x[0-9a-f]+$' "$T/crashm.err" || # a leaf: no frame
        fail "fault (musl strlen): $(cat "$T/crashm.err")"
fi

[ "$fails" -eq 0 ] && echo "petrel_runtimes_test: all passed"
[ "$fails" -eq 0 ]
