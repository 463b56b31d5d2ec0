#!/bin/sh
# petrel_image_test.sh <build dir> <source dir>: how `petrel run` builds and reuses its images
# (docs/petrel.md, "Arguments at boot" and "Large trees").
#
# - The arguments and the environment arrive at boot byte for byte: spaces, quotes, a
#   backslash, newlines, a tab, control bytes, bytes that are not UTF-8, empty strings,
#   manifest syntax, a 12 KiB argument; argv_dump prints each with its length and bytes,
#   compared with the native run.
# - The image is the files only: a second command line, other -e variables, --summary and
#   --missing-files reuse the cached image (no "building image", the cache holds one image)
#   and still print their own arguments.
# - A 100,000-byte argument reaches the kernel through the fw_cfg file opt/petrel/cmdline on
#   microvm and on q35 (whose PVH loader has room for about 4 KiB): the same image, exact.
#   300,000 bytes that are not ASCII (over 1 MiB encoded) are refused before anything is
#   built (exit 126, "argument list too long").
# - The kernel's bounds, through scripts/qemu: an fw_cfg command line over 1 MiB, or with a
#   NUL byte, stops the boot with a message (exit 123), never cut; fw_cfg's words win over
#   -append's.
# - A tree of 50,000 files (--dir, 100 directories of 500) is built, booted and listed in
#   the guest (tree_list, nftw): the sorted listing equals the native one.
NAME=petrel-image
. "$(dirname "$0")/petrel_lib.sh"

gcc -O2 -o "$T/argv_dump" "$S/tools/tests/argv_dump.c" || exit 1
gcc -O2 -o "$T/tree_list" "$S/tools/tests/tree_list.c" || exit 1

# both <name> <n> KEY=VALUE... PROGRAM ARGS...: PROGRAM natively, under env -i with PATH, HOME
# and the n variables (the environment petrel gives), and through `petrel run $OPTS`, with -e
# for each variable; the outputs compared byte for byte; petrel's stderr in $T/<name>.err.
OPTS=""
both() {
    name=$1 n=$2
    shift 2
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/ "$@" >"$T/$name.native" 2>&1
    (
        i=0
        for a; do
            shift
            if [ $i -lt "$n" ]; then set -- "$@" -e "$a"; else set -- "$@" "$a"; fi
            i=$((i + 1))
        done
        # shellcheck disable=SC2086
        exec "$P" run --timeout 120 $OPTS "$@"
    ) >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    [ $rc -eq 0 ] || fail "$name: exit $rc: $(cat "$T/$name.err")"
    cmp -s "$T/$name.out" "$T/$name.native" || {
        fail "$name: the output differs from the native run:"
        diff "$T/$name.native" "$T/$name.out" | head -20 | cut -c1-200
    }
}

images() { ls "$PETREL_CACHE"/*.img 2>/dev/null | wc -l; }

nl=$(printf 'line1\nline2')
tab=$(printf 'a\tb')
ctl=$(printf 'bell\007esc\033del\177')
hi=$(printf 'latin1 \351t\351 \377\376 bad utf8 \300\200')
long12k=$(head -c 12288 /dev/zero | tr '\0' 'y')
D=$T/argv_dump

# --- 1. odd arguments, byte for byte ------------------------------------------------------------
both odd 0 "$D" "" "two words" " lead and trail " "say \"hi\"" "it's" 'back\slash\\' "$nl" \
    "$tab" "$ctl" "$hi" "é ü 日本" "(program:/evil)" "[a b]" "#not a comment" \
    "arguments=[x]" "key=value" "\\x20" '"' "" "$long12k"
grep -q "building image" "$T/odd.err" || fail "odd: no image built: $(cat "$T/odd.err")"
[ "$(images)" -eq 1 ] || fail "odd: $(images) images in the cache, expected 1"

# --- 2. other command lines, environments and diagnostics: the same image ---------------------
OPTS=-q
both second 0 "$D" b "c d"
[ ! -s "$T/second.err" ] || fail "second: -q printed $(cat "$T/second.err")"
OPTS=""
both env 4 "MSG=hello world" "NL=$nl" "EMPTY=" "HI=$hi" "$D" x
both path 1 "PATH=/opt/bin:/bin" "$D"
both none 0 "$D"
for name in second env path none; do
    grep -q "building image" "$T/$name.err" && fail "$name: rebuilt the image: $(cat "$T/$name.err")"
done
grep -q "(cached)" "$T/env.err" || fail "env: no (cached) line: $(cat "$T/env.err")"
"$P" run --timeout 120 --summary --missing-files "$D" s >"$T/diag.out" 2>"$T/diag.err" ||
    fail "diag: exit $?: $(cat "$T/diag.err")"
grep -q "(cached)" "$T/diag.err" || fail "diag: --summary rebuilt the image: $(cat "$T/diag.err")"
grep -q "calls" "$T/diag.err" || fail "diag: no syscall summary: $(cat "$T/diag.err")"
grep -qx 'argv\[1\] 1 s' "$T/diag.out" || fail "diag: argv: $(cat "$T/diag.out")"
[ "$(images)" -eq 1 ] || fail "after other command lines: $(images) images in the cache, expected 1"

# --- 3. long command lines ---------------------------------------------------------------------
# 100,000 bytes reach the kernel in the fw_cfg file on microvm and on q35 (whose PVH loader
# has room for ~4 KiB of -append): the same image, exact
long100k=$(head -c 100000 /dev/zero | tr '\0' 'z')
both long 0 "$D" a "$long100k" b
OPTS="--machine q35"
both q35 0 "$D" a "$long100k" "$hi"
OPTS=""
for name in long q35; do
    grep -q "building image\|image of their own" "$T/$name.err" &&
        fail "$name: rebuilt the image: $(cat "$T/$name.err")"
done
[ "$(images)" -eq 1 ] || fail "long, q35: $(images) images in the cache, expected 1"
# over the kernel's 1 MiB (300,000 bytes that are not ASCII, \xHH each): refused before
# anything is built, as execve's E2BIG (exit 126), never cut
ff100k=$(head -c 100000 /dev/zero | tr '\0' '\377')
"$P" run -q "$D" "$ff100k" "$ff100k" "$ff100k" >"$T/huge.out" 2>"$T/huge.err"
rc=$?
[ $rc -eq 126 ] && [ ! -s "$T/huge.out" ] && grep -q "^petrel: argument list too long: the \
arguments and environment take 1200[0-9]* bytes on the kernel command line, over its 1044480" \
    "$T/huge.err" || fail "huge: exit $rc: $(head -c 300 "$T/huge.err")"
[ "$(images)" -eq 1 ] || fail "huge: $(images) images in the cache, expected 1"

# The kernel's own bounds, through scripts/qemu (petrel never sends more): a command line it
# cannot take whole stops the boot with a message (exit 123, X86_EXIT_BOOT), never cut
kernel_refuses() { # kernel_refuses <name> <message (grep -F)> <scripts/qemu arguments...>
    name=$1 msg=$2
    shift 2
    "$S/scripts/qemu" -t 120 "$@" >"$T/$name.con" 2>&1
    rc=$?
    [ $rc -eq 123 ] && grep -qF "$msg" "$T/$name.con" ||
        fail "$name: exit $rc: $(head -c 600 "$T/$name.con")"
}
img=$("$P" build -q "$D" baked 2>"$T/order.err") || fail "order: build: $(cat "$T/order.err")"
# microvm appends its device's word (virtio_mmio.device=...) to a 131,060-byte -append: over
# the 131,071 bytes the kernel takes (before, the line was cut there: no disk, no word)
kernel_refuses pvh_long "petrel: boot failed: the kernel command line is longer than the \
kernel's bound (131071 bytes)" -d "$img" -c "$(head -c 131060 /dev/zero | tr '\0' x)" \
    "$B/hal_x86/petrel.elf" -- -snapshot
head -c 1048577 /dev/zero | tr '\0' 'x' >"$T/fw.big"
kernel_refuses fw_big "petrel: boot failed: the command line in fw_cfg opt/petrel/cmdline has \
1048577 bytes, over the kernel's bound of 1048576" -f "$T/fw.big" "$B/hal_x86/petrel.elf"
printf 'loglevel=info\000x=y' >"$T/fw.nul"
kernel_refuses fw_nul "petrel: boot failed: the fw_cfg file opt/petrel/cmdline has a NUL byte \
at offset 13" -f "$T/fw.nul" "$B/hal_x86/petrel.elf"
# the fw_cfg words follow -append's: where both give a key, fw_cfg's wins (petrel build's
# image boots alone, its arguments baked in)
printf 'arguments=["argv_dump""fw_cfg"]' >"$T/fw.args"
"$S/scripts/qemu" -t 120 -d "$img" -c 'arguments=["argv_dump""append"]' -f "$T/fw.args" \
    "$B/hal_x86/petrel.elf" -- -snapshot >"$T/order.con" 2>&1 || fail "order: exit $?: $(cat "$T/order.con")"
grep -q "^argv\[1\] 6 fw_cfg" "$T/order.con" || fail "order: $(cat "$T/order.con")"

# --- 4. 50,000 files through --dir, listed in the guest -----------------------------------------
mkdir "$T/big"
t0=$(date +%s)
for d in $(seq -w 1 100); do
    mkdir "$T/big/dir-$d"
    (cd "$T/big/dir-$d" && seq -f "module-file-with-a-name-%03g.py" 1 500 | xargs touch)
done
echo "content" >"$T/big/dir-001/module-file-with-a-name-001.py"
ln -s dir-001 "$T/big/link"
(cd "$T" && ./tree_list big) | sort >"$T/big.native"
"$P" run --timeout 600 --dir "$T/big:/big" "$T/tree_list" big >"$T/big.raw" 2>"$T/big.err"
rc=$?
echo "50,000 files: exit $rc in $(($(date +%s) - t0)) s"
sed 's/^/  | /' "$T/big.err"
sort "$T/big.raw" >"$T/big.out"
[ $rc -eq 0 ] || fail "big: exit $rc"
grep -qx "entries 50102" "$T/big.out" || fail "big: $(grep entries "$T/big.out")"
cmp -s "$T/big.out" "$T/big.native" || {
    fail "big: the guest's listing differs from the native one:"
    diff "$T/big.native" "$T/big.out" | head -10
}

[ $fails -eq 0 ] && echo "petrel_image_test: all passed"
[ $fails -eq 0 ]
