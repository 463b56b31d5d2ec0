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
# - A 100,000-byte argument fits on microvm's kernel command line (the same image); on q35,
#   whose loader has room for about 4 KiB, 5,000 bytes go into an image of their own, with a
#   line saying so, and still arrive exact.
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
        diff "$T/$name.native" "$T/$name.out" | head -20
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
# microvm: 100,000 bytes fit on the kernel command line (the same image)
long100k=$(head -c 100000 /dev/zero | tr '\0' 'z')
both long 0 "$D" a "$long100k" b
grep -q "building image" "$T/long.err" && fail "long: rebuilt the image: $(cat "$T/long.err")"
[ "$(images)" -eq 1 ] || fail "long: $(images) images in the cache, expected 1"
# q35's loader has room for about 4 KiB: 5,000 bytes go into an image of their own, exact
long5k=$(head -c 5000 /dev/zero | tr '\0' 'w')
OPTS="--machine q35"
both q35 0 "$D" a "$long5k" "$hi"
OPTS=""
grep -q "over its 3500 on q35: they go into the image (an image of their own)" "$T/q35.err" ||
    fail "q35: no line about the image: $(cat "$T/q35.err")"
[ "$(images)" -eq 2 ] || fail "q35: $(images) images in the cache, expected 2"

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
