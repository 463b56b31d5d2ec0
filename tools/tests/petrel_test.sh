#!/bin/sh
# petrel_test.sh <build dir> <source dir>: the `petrel` command end to end (docs/petrel.md).
#
# Programs are compiled here into a scratch directory, run natively and through
# `petrel run` (QEMU), and compared: a static program's exit code; a dynamic glibc program
# with libm, a dlopen'ed library added with --file, and its output byte for byte (musl's
# too); -e in the
# environment; --file placing a data file; the image cache (the second run reuses the image:
# its message and an unchanged cache); --manifest, -d and --keep-image; a missing library, a script, a non-ELF file and a
# missing program refused before anything boots, each with its message and exit code;
# `petrel deps` on a fixture tree (DT_RUNPATH and DT_RPATH with $ORIGIN, a symlinked
# library, a library needing another) and `petrel run` of the $ORIGIN one; `petrel ldcache`
# against `ldconfig -p`; the dynamic linker run as a program (`ld.so /bin/echo`); a file
# written in one run gone in the next, kept with --persist; `petrel build` (its image through
# `petrel dump` and `petrel fsck`).
NAME=petrel-test
. "$(dirname "$0")/petrel_lib.sh"
PROGS=$S/tests/runtime/progs

# expect <name> <exit code> <stderr pattern> -- command...: runs it, keeps out/err in $T/<name>.*
expect() {
    name=$1 code=$2 pat=$3
    shift 4
    "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    [ "$rc" -eq "$code" ] || fail "$name: exit $rc, expected $code; stderr: $(cat "$T/$name.err")"
    [ -z "$pat" ] || grep -q -- "$pat" "$T/$name.err" ||
        fail "$name: stderr lacks '$pat': $(cat "$T/$name.err")"
}

# The program's stdout arrives byte for byte (its own stream, not the serial console).
same_output() {
    cmp -s "$T/$1.out" "$T/$2.out" || {
        fail "$1: output differs from $2:"
        diff "$T/$2.out" "$T/$1.out" | head -20
    }
}

gcc -O2 -static -o "$T/exit_static" "$PROGS/exit_codes.c" || exit 1
gcc -O2 -o "$T/dynlib" "$PROGS/dynlib.c" -lm -ldl || exit 1
gcc -O2 -o "$T/args" "$PROGS/args.c" || exit 1
gcc -O2 -o "$T/readfile" "$PROGS/readfile.c" || exit 1
resolv=$(ldconfig -p | sed -n 's/^\tlibresolv.so.2 (libc6,x86-64) => //p' | head -n 1)

# A static program: output and exit code pass through.
expect static 42 "static" -- "$P" run "$T/exit_static" 42
tr -d '\r' <"$T/static.out" | grep -qx "exit_codes: exiting with 42" || fail "static: output $(cat "$T/static.out")"

# A dynamic glibc program (libm by DT_NEEDED, libresolv by dlopen, added with --file).
(cd "$T" && ./dynlib) >"$T/dyn.native.out" 2>/dev/null
expect dyn 0 "dynamic (glibc), interpreter /lib64/ld-linux-x86-64.so.2, 2 libraries" -- \
    "$P" run --file "$resolv" "$T/dynlib"
same_output dyn dyn.native

# A dynamic musl program: only its interpreter (musl's libc is its ld.so).
if command -v musl-gcc >/dev/null; then
    musl-gcc -O2 -o "$T/dynlib_musl" "$PROGS/dynlib.c" -lm || exit 1
    (cd "$T" && ./dynlib_musl) >"$T/musl.native.out" 2>/dev/null
    expect musl 0 "dynamic (musl), interpreter /lib/ld-musl-x86_64.so.1, 0 libraries" -- \
        "$P" run "$T/dynlib_musl"
    same_output musl musl.native
fi

# -e: the environment is PATH, HOME, then the -e variables, in order.
env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/ FOO=bar "$T/args" one "two words" \
    >"$T/env.native.out"
expect env 0 "" -- "$P" run -q -e FOO=bar "$T/args" one "two words"
same_output env env.native
[ ! -s "$T/env.err" ] || fail "env: -q printed $(cat "$T/env.err")"

# --file HOST:GUEST: readfile opens data/motd.txt and data/blob.bin in its cwd (/ in Petrel).
(cd "$S/tests/runtime/root" && "$T/readfile") >"$T/file.native.out"
expect file 0 "" -- "$P" run -q --file "$S/tests/runtime/root/data/motd.txt:/data/motd.txt" \
    --file "$S/tests/runtime/root/data/blob.bin:/data/blob.bin" "$T/readfile"
same_output file file.native

# --manifest merges over the generated one (tuples merge: EXTRA joins the environment);
# -d traces the system calls on the console; --keep-image leaves the booted copy.
printf '# extra keys\n(environment:(EXTRA:yes))\n' >"$T/extra.manifest"
expect manifest 0 "" -- "$P" run -q --manifest "$T/extra.manifest" "$T/args" m
tr -d '\r' <"$T/manifest.out" | grep -qx "env EXTRA=yes" ||
    fail "manifest: EXTRA not in the environment: $(cat "$T/manifest.out")"
expect trace 42 "" -- "$P" run -q -d "$T/exit_static" 42
grep -q "exit_group(42" "$T/trace.err" || fail "trace: no exit_group(42) in the console (stderr)"
expect keep 42 "image kept in $T/kept.img" -- "$P" run --keep-image "$T/kept.img" \
    "$T/exit_static" 42
"$P" dump "$T/kept.img" | grep -q "program:.*exit_static" || fail "keep: no image kept"

# The cache: the same run again reuses the image, nothing new in the cache.
ls "$PETREL_CACHE" >"$T/cache.before"
expect again 42 "(cached)" -- "$P" run "$T/exit_static" 42
ls "$PETREL_CACHE" >"$T/cache.after"
cmp -s "$T/cache.before" "$T/cache.after" || fail "cache: the second run changed the cache"
grep -q "building image" "$T/again.err" && fail "cache: the second run rebuilt the image"

# Refusals before any boot.
mkdir -p "$T/fix/lib" "$T/fix/lib2" "$T/fix/bin"
printf 'int petrel_b(void) { return 2; }\n' >"$T/b.c"
printf 'int petrel_b(void); int petrel_a(void) { return petrel_b() + 1; }\n' >"$T/a.c"
printf 'int petrel_a(void); int main(void) { return petrel_a(); }\n' >"$T/main.c"
gcc -shared -fPIC -Wl,-soname,libpb.so.1 -o "$T/fix/lib2/libpb.so.1.0" "$T/b.c" &&
    ln -s libpb.so.1.0 "$T/fix/lib2/libpb.so.1" &&
    gcc -shared -fPIC -Wl,-soname,libpa.so -o "$T/fix/lib/libpa.so" "$T/a.c" \
        -L"$T/fix/lib2" -l:libpb.so.1 -Wl,-rpath,'$ORIGIN/../lib2' -Wl,--enable-new-dtags &&
    gcc -o "$T/fix/bin/runpath" "$T/main.c" -L"$T/fix/lib" -lpa -Wl,-rpath,'$ORIGIN/../lib' \
        -Wl,--enable-new-dtags -Wl,-rpath-link,"$T/fix/lib2" &&
    gcc -o "$T/fix/bin/rpath" "$T/main.c" -L"$T/fix/lib" -lpa -Wl,-rpath,"$T/fix/lib" \
        -Wl,--disable-new-dtags -Wl,-rpath-link,"$T/fix/lib2" &&
    gcc -o "$T/fix/bin/norpath" "$T/main.c" -L"$T/fix/lib" -lpa \
        -Wl,-rpath-link,"$T/fix/lib2" || exit 1
"$T/fix/bin/runpath"
[ $? -eq 3 ] || fail "fixture: runpath does not run natively"
for p in runpath rpath; do
    expect "deps_$p" 0 "" -- "$P" deps "$T/fix/bin/$p"
    grep -q "/lib2/libpb.so.1 (libpb.so.1)" "$T/deps_$p.out" ||
        fail "deps $p: libpb.so.1 not found through libpa's \$ORIGIN RUNPATH: $(cat "$T/deps_$p.out")"
    grep -q "/fix/lib/libpa.so (libpa.so)" "$T/deps_$p.out" ||
        fail "deps $p: libpa.so missing: $(cat "$T/deps_$p.out")"
done
# $ORIGIN in the program's own RUNPATH: the guest's ld.so reads /proc/self/exe.
expect origin_run 3 "3 libraries" -- "$P" run "$T/fix/bin/runpath"
expect missing_lib 125 "library libpa.so (needed by $T/fix/bin/norpath) not found; searched" -- \
    "$P" run "$T/fix/bin/norpath"
grep -q "add it with --file" "$T/missing_lib.err" || fail "missing_lib: no advice"
printf '#!/bin/sh\necho hi\n' >"$T/script.sh"
chmod +x "$T/script.sh"
expect script 126 "is a script (#!/bin/sh): run its interpreter" -- "$P" run "$T/script.sh"
expect not_elf 126 "is not an x86-64 ELF program" -- "$P" run "$T/b.c"
expect no_program 127 "no-such-program-here: no such program in PATH" -- \
    "$P" run no-such-program-here
expect usage 2 "usage" -- "$P" run

# ld.so.cache, parsed directly, agrees with ldconfig -p.
if [ -r /etc/ld.so.cache ]; then
    "$P" ldcache | sort >"$T/cache.mine"
    ldconfig -p | sed -n 's/^\t\([^ ]*\) (libc6,x86-64[^)]*) => \(.*\)$/\1 => \2/p' | sort \
        >"$T/cache.ldconfig"
    [ -s "$T/cache.mine" ] && cmp -s "$T/cache.mine" "$T/cache.ldconfig" ||
        fail "ldcache differs from ldconfig -p"
fi

# The dynamic linker run as a program: its operand (here through merged /usr's /bin link)
# and that program's libraries go into the image; the output as natively.
LDSO=/lib64/ld-linux-x86-64.so.2
if [ -x "$LDSO" ] && [ -x /bin/echo ]; then
    "$LDSO" /bin/echo "via ld.so" >"$T/ldso.native" 2>&1
    expect ldso 0 "" -- "$P" run -q "$LDSO" /bin/echo "via ld.so"
    cmp -s "$T/ldso.out" "$T/ldso.native" || fail "ld.so as a program: $(cat "$T/ldso.out" "$T/ldso.err")"
fi

# Copy-on-write runs: a file the program writes is gone at the next run of the same image;
# with --persist (both runs) the cached image keeps it (sh builtins only: one process)
"$P" run -q /bin/sh -c 'echo kept >/persist.txt' >/dev/null 2>&1 || fail "cow: write: exit $?"
expect cow 2 "cannot open /persist.txt" -- "$P" run -q /bin/sh -c 'read l </persist.txt && echo "$l"'
"$P" run -q --persist /bin/sh -c 'echo kept >/persist.txt' >/dev/null 2>&1 || fail "persist: write"
expect persist 0 "" -- "$P" run -q --persist /bin/sh -c 'read l </persist.txt && echo "$l"'
[ "$(cat "$T/persist.out")" = kept ] || fail "persist: read '$(cat "$T/persist.out")'"

# petrel build: the image, whose stored configuration names the program.
expect build 0 "" -- "$P" build -q "$T/args" x
img=$(cat "$T/build.out")
[ -f "$img" ] || fail "build: no image at '$img'"
"$P" dump "$img" | grep -q "program:.*$T/args" || fail "build: dump does not show the program"
"$P" fsck "$img" 2>&1 | grep -q ": clean: " || fail "build: petrel fsck: $("$P" fsck "$img" 2>&1)"

[ "$fails" -eq 0 ] && echo "petrel_test: all passed"
[ "$fails" -eq 0 ]
