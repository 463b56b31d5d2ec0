#!/bin/sh
# petrel_memo_test.sh BUILD - the staging memo of `petrel run`/`petrel build`
# (docs/petrel-run.md "The staging memo"), ctest tools.petrel_memo. No VM is booted.
#
# - A second build with nothing changed uses the memo ("staged as before") and finds the
#   same image; PETREL_MEMO=0 stages again and finds it too.
# - The program changed in place, same size, new content and mtime: staged again, and a new
#   image key (a new image is built).
# - The same change with the mtime set back to the old one (touch -r): the ctime still
#   differs, so staged again and a new image key.
# - A file added next to the program (its directory's mtime changes): staged again.
# - A file changed less than 2 s before staging is "racily clean": no memo is written, so
#   the next run stages again; once it is older, the memo is used.
set -u
B=${1:?usage: petrel_memo_test.sh BUILD}
P="$B/bin/petrel"
HELLO="$B/examples/hello/hello"
T=$(mktemp -d "${TMPDIR:-/tmp}/petrel-memo.XXXXXX")
trap 'rm -rf "$T"' EXIT
export PETREL_CACHE="$T/cache"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ -x "$HELLO" ] || { echo "SKIP: $HELLO is not built"; exit 77; }

mkdir -p "$T/bin"
cp "$HELLO" "$T/bin/prog"
touch -d '1 hour ago' "$T/bin/prog"
sleep 2.2 # the copy's ctime, and the directory's, are then older than the racy window

# build ONE: prints the image path; stderr in $T/$1.err
build() {
    "$P" build --accel tcg "$T/bin/prog" >"$T/$1.out" 2>"$T/$1.err" ||
        fail "$1: petrel build failed: $(cat "$T/$1.err")"
    cat "$T/$1.out"
}
memo_used() { grep -q "staged as before" "$T/$1.err"; }

img1=$(build first)
memo_used first && fail "first: a memo before any staging"
ls "$T/cache"/stage-*.memo >/dev/null 2>&1 || fail "first: no memo written"
img2=$(build second)
memo_used second || fail "second: the memo was not used: $(cat "$T/second.err")"
[ "$img1" = "$img2" ] || fail "second: another image ($img1, $img2)"
grep -q "static" "$T/second.err" || fail "second: staging's lines not replayed"
img3=$(PETREL_MEMO=0 build nomemo)
memo_used nomemo && fail "PETREL_MEMO=0 used the memo"
[ "$img1" = "$img3" ] || fail "PETREL_MEMO=0: another image"

# same size, new content and mtime
size=$(stat -c %s "$T/bin/prog")
cp "$T/bin/prog" "$T/orig"
printf 'Z' | dd of="$T/bin/prog" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
[ "$(stat -c %s "$T/bin/prog")" = "$size" ] || fail "the fixture changed size"
touch -d '30 minutes ago' "$T/bin/prog"
img4=$(build changed)
memo_used changed && fail "changed: the memo was used for a changed program"
[ "$img4" != "$img1" ] || fail "changed: the same image key for new content"
grep -q "building image" "$T/changed.err" || fail "changed: no image built"

# new content again, mtime set back to the last one: only the ctime tells
sleep 2.2
cp "$T/bin/prog" "$T/ref"
touch -r "$T/bin/prog" "$T/ref"
printf 'Y' | dd of="$T/bin/prog" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
touch -r "$T/ref" "$T/bin/prog"
img5=$(build mtime_back)
memo_used mtime_back && fail "mtime set back: the memo was used"
[ "$img5" != "$img4" ] || fail "mtime set back: the same image key"

# that build ran within 2 s of the change: racily clean, so no memo for the next one
build racy >/dev/null
memo_used racy && fail "racy: a memo written within 2 s of a change was used"
sleep 2.2
build settled1 >/dev/null
build settled2 >/dev/null
memo_used settled2 || fail "settled: the memo was not used: $(cat "$T/settled2.err")"

# a new file in the program's directory
: >"$T/bin/other"
sleep 2.2
build newfile >/dev/null
memo_used newfile && fail "new file next to the program: the memo was used"

[ "$fails" -eq 0 ] && echo "petrel_memo: all checks passed"
exit $((fails > 0))
