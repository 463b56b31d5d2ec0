#!/usr/bin/env bash
# tools_test.sh BINDIR - end-to-end test of mkfs, dump and fsck (ctest unit.tfs_tools).
#
# Builds a host tree with files of many sizes, an empty file, nested and empty directories,
# symlinks, odd modes and fixed mtimes; packs it with a manifest and with -d; checks that
# dump lists it, fsck finds it clean, dump -x gives back the same tree (diff -r, plus modes,
# mtimes and link targets), and that every documented error prints its message and fails.
set -u
BIN=$(cd "${1:?usage: tools_test.sh BINDIR}" && pwd)
MKFS=$BIN/mkfs DUMP=$BIN/dump FSCK=$BIN/fsck
T=$(mktemp -d "${TMPDIR:-/tmp}/petrel-tools.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0 checks=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1; shift; checks=$((checks + 1))
    "$@" >"$T/out" 2>"$T/err" || { fail "$what (exit $?)"; sed 's/^/  | /' "$T/out" "$T/err" | head -20; }
}
expect_error() { # expect_error DESCRIPTION REGEX COMMAND...: fails, stderr matches REGEX
    local what=$1 re=$2; shift 2; checks=$((checks + 1))
    if "$@" >"$T/out" 2>"$T/err"; then fail "$what: succeeded"; return; fi
    grep -Eq -- "$re" "$T/err" || { fail "$what: stderr lacks /$re/"; sed 's/^/  | /' "$T/err" | head -5; }
}
# A listing that diff can compare: type, mode, size, mtime (seconds), link target.
listing() { (cd "$1" && find . -mindepth 1 -printf '%y %m %s %TY-%Tm-%Td.%TT %p -> %l\n' |
             sed 's/\.[0-9]* \./ ./' | sort); }

# ---- a host tree --------------------------------------------------------------------------
S=$T/src
mkdir -p "$S/bin" "$S/etc/conf.d" "$S/empty" "$S/lib/x86_64" "$S/deep/a/b/c/d"
printf 'hello\n' >"$S/etc/hostname"
: >"$S/etc/empty-file"
head -c 4096 /dev/urandom >"$S/bin/block"
head -c 4097 /dev/urandom >"$S/bin/block-plus-one"
head -c 300000 /dev/urandom >"$S/lib/x86_64/libbig.so"
head -c 1 /dev/urandom >"$S/deep/a/b/c/d/one"
printf 'x=1\n' >"$S/etc/conf.d/x.conf"
ln -s ../lib/x86_64/libbig.so "$S/bin/link-rel"
ln -s /etc/hostname "$S/bin/link-abs"
ln -s dangling-target "$S/etc/dangling"
chmod 0700 "$S/bin/block"; chmod 0604 "$S/etc/hostname"; chmod 0751 "$S/deep/a"
chmod 4755 "$S/bin/block-plus-one"
find "$S" -exec touch -h -d '2021-02-03 04:05:06' {} +
touch -d '1999-12-31 23:59:59' "$S/etc/hostname"

# ---- 1. -d import: dump, fsck, extract, compare -------------------------------------------
check "mkfs -d" "$MKFS" -l demo -d "$S" "$T/d.img" </dev/null
check "fsck -n clean" "$FSCK" -n "$T/d.img"
check "dump" "$DUMP" "$T/d.img"
cp "$T/out" "$T/dump.txt"
for p in /bin/block /etc/hostname /lib/x86_64/libbig.so /deep/a/b/c/d/one /empty; do
    checks=$((checks + 1)); grep -q " $p\$" "$T/dump.txt" || fail "dump lacks $p"
done
checks=$((checks + 1)); grep -Eq ' 300000 .* /lib/x86_64/libbig.so$' "$T/dump.txt" || fail "dump: size of libbig.so"
checks=$((checks + 1)); grep -Eq '^-rwx------ ' "$T/dump.txt" || fail "dump: mode 0700 not shown as -rwx------"
checks=$((checks + 1)); grep -q '/bin/link-rel -> ../lib/x86_64/libbig.so' "$T/dump.txt" || fail "dump: symlink target"
checks=$((checks + 1)); grep -q 'label: demo' "$T/dump.txt" || fail "dump: label"
check "dump -x" "$DUMP" -x "$T/x1" "$T/d.img"
check "diff -r after -d" diff -r --no-dereference "$S" "$T/x1"
listing "$S" >"$T/l.src"; listing "$T/x1" >"$T/l.x1"
check "modes, mtimes and links after -d" diff "$T/l.src" "$T/l.x1"

# ---- 2. a manifest: host files, nested children, symlinks, config, -t, -r ------------------
cat >"$T/m.manifest" <<EOF
# sample manifest
(
    children:(
        bin:(children:(prog:(contents:(host:/lib/x86_64/libbig.so))
                       sh:(linktarget:/bin/prog)))
        etc:(children:(hostname:(contents:(host:/etc/hostname))
                       conf:(children:())))
        data:(contents:(host:bin/block-plus-one) mode:0640 uid:1000 gid:100)
    )
    program:/bin/prog
    arguments:[prog "two words"]
    environment:(USER:petrel PWD:/)
)
EOF
check "mkfs manifest" "$MKFS" -r "$S" -t "(debugsyscalls:t environment:(EXTRA:1))" \
    "$T/m.img" <"$T/m.manifest"
check "fsck manifest image" "$FSCK" -n "$T/m.img"
check "dump manifest image" "$DUMP" "$T/m.img"
cp "$T/out" "$T/mdump.txt"
for re in 'program:/bin/prog' 'debugsyscalls:t' 'EXTRA:1' 'USER:petrel' '"two words"' \
          ' /bin/sh -> /bin/prog$' '^-rw-r----- +1000 +100 +4097 .* /data$' ' /etc/conf$'; do
    checks=$((checks + 1)); grep -Eq -- "$re" "$T/mdump.txt" || fail "manifest dump lacks /$re/"
done
checks=$((checks + 1)); grep -q 'contents' "$T/mdump.txt" && fail "stored configuration still holds contents"
checks=$((checks + 1)); grep -q 'children' "$T/mdump.txt" && fail "stored configuration still holds the tree (children)"
check "dump -x manifest" "$DUMP" -x "$T/x2" "$T/m.img"
check "prog content" cmp "$S/lib/x86_64/libbig.so" "$T/x2/bin/prog"
check "-r resolves /etc/hostname inside the target root" cmp "$S/etc/hostname" "$T/x2/etc/hostname"
check "relative host path under -r" cmp "$S/bin/block-plus-one" "$T/x2/data"
checks=$((checks + 1)); [ "$(readlink "$T/x2/bin/sh")" = /bin/prog ] || fail "symlink /bin/sh"
checks=$((checks + 1)); [ -d "$T/x2/etc/conf" ] || fail "empty dir /etc/conf"

# ---- 3. manifest plus -d together, explicit size, label --------------------------------------
check "mkfs -s 16M -d + manifest" "$MKFS" -s 16M -l both -r "$S" -d "$S/etc" "$T/b.img" <"$T/m.manifest"
checks=$((checks + 1)); [ "$(stat -c %s "$T/b.img")" = $((16 << 20)) ] || fail "-s 16M size"
check "fsck -y on clean image" "$FSCK" -y "$T/b.img"
check "dump -x both" "$DUMP" -x "$T/x3" "$T/b.img"
check "-d content in merged image" cmp "$S/etc/conf.d/x.conf" "$T/x3/conf.d/x.conf"
check "manifest content in merged image" cmp "$S/bin/block-plus-one" "$T/x3/data"

# ---- 3b. -f: a file list (NUL-separated records), laid between -d and the manifest ---------
odd=$(printf 'odd name\nwith newline \351\377')
{
    printf 'D/srv\0'
    printf 'F/srv/hostname\0%s\0' "$S/etc/hostname"
    printf 'F/deep/implied/dirs/big\0%s\0' "$S/lib/x86_64/libbig.so" # parents made
    printf 'L/srv/link\0../deep/implied/dirs/big\0'
    printf 'F/srv/%s\0%s\0' "$odd" "$S/bin/block"
    printf 'F/srv/replaced\0%s\0' "$S/etc/hostname"
    printf 'F/srv/replaced\0%s\0' "$S/bin/block-plus-one" # a later record wins
    printf 'D/empty-dir\0'
    printf 'F/conf.d/x.conf\0%s\0' "$S/bin/block" # over the -d import
} >"$T/l.list"
printf '(children:(srv:(children:(hostname:(contents:(host:%s)))))program:/srv/link)' \
    "$S/etc/conf.d/x.conf" >"$T/l.manifest"
check "mkfs -d -f -m" "$MKFS" -d "$S/etc" -f "$T/l.list" -m "$T/l.manifest" "$T/l.img"
check "fsck -f image" "$FSCK" -n "$T/l.img"
check "dump -x -f image" "$DUMP" -x "$T/x5" "$T/l.img"
check "-f: a file" cmp "$S/lib/x86_64/libbig.so" "$T/x5/deep/implied/dirs/big"
check "-f: an odd name" cmp "$S/bin/block" "$T/x5/srv/$odd"
check "-f: a later record wins" cmp "$S/bin/block-plus-one" "$T/x5/srv/replaced"
check "-f: over -d" cmp "$S/bin/block" "$T/x5/conf.d/x.conf"
check "-f: -d kept" cmp "$S/etc/hostname" "$T/x5/hostname"
check "-f: the manifest wins" cmp "$S/etc/conf.d/x.conf" "$T/x5/srv/hostname"
checks=$((checks + 1)); [ "$(readlink "$T/x5/srv/link")" = ../deep/implied/dirs/big ] || fail "-f: symlink"
checks=$((checks + 1)); [ -d "$T/x5/empty-dir" ] || fail "-f: empty directory"
checks=$((checks + 1)); [ "$(stat -c %Y "$T/x5/srv/replaced")" = "$(stat -c %Y "$S/bin/block-plus-one")" ] ||
    fail "-f: the host file's mtime"
# errors: each names the list and the record
printf 'X/a\0' >"$T/bad1.list"
expect_error "-f: unknown type" "bad1.list: record 1: unknown type 'X'" "$MKFS" -f "$T/bad1.list" "$T/e.img" </dev/null
printf 'D/a\0Frelative\0/etc/hostname\0' >"$T/bad2.list"
expect_error "-f: relative path" "record 2: 'relative' is not an absolute path" "$MKFS" -f "$T/bad2.list" "$T/e.img" </dev/null
printf 'D/a/../b\0' >"$T/bad3.list"
expect_error "-f: .. component" "record 1: '/a/../b': bad component" "$MKFS" -f "$T/bad3.list" "$T/e.img" </dev/null
printf 'D/a//b\0' >"$T/bad4.list"
expect_error "-f: empty component" "bad component" "$MKFS" -f "$T/bad4.list" "$T/e.img" </dev/null
printf 'F/a\0/etc/hostname' >"$T/bad5.list"
expect_error "-f: cut short" "record 1 is cut short" "$MKFS" -f "$T/bad5.list" "$T/e.img" </dev/null
printf 'F/a\0%s/no-such-file\0' "$T" >"$T/bad6.list"
expect_error "-f: missing host file" "/a: host file '.*no-such-file': No such file" "$MKFS" -f "$T/bad6.list" "$T/e.img" </dev/null
printf 'F/a\0%s\0' "$S/etc" >"$T/bad7.list"
expect_error "-f: a directory as a file" "is not a regular file" "$MKFS" -f "$T/bad7.list" "$T/e.img" </dev/null
printf 'F/a\0%s\0F/a/b\0%s\0' "$S/etc/hostname" "$S/etc/hostname" >"$T/bad8.list"
expect_error "-f: a file as a parent" "/a/b: a parent of it is not a directory" "$MKFS" -f "$T/bad8.list" "$T/e.img" </dev/null
expect_error "-f: a pipe" "read twice: give a file" sh -c "printf 'D/a\0' | '$MKFS' -f /dev/stdin '$T/e.img' </dev/null"
expect_error "-f: missing list" "no-such.list" "$MKFS" -f "$T/no-such.list" "$T/e.img" </dev/null
checks=$((checks + 1)); [ -e "$T/e.img" ] && fail "-f errors: a half-built image is left"

# a list of 1.1 MiB (2,100 files with 250-byte names): more than a manifest may hold (1 MiB); the
# list is streamed. (qemu.petrel_image and qemu.petrel_python_path build 50,000 and 12,000.)
mkdir "$T/many"
long=$(printf 'n%.0s' $(seq 1 240))
(cd "$T/many" && seq -f "$long-%06g" 1 2100 | xargs touch)
echo "one with data" >"$T/many/$long-000001"
for i in $(seq 1 2100); do
    printf 'F/pkg/d%d/%s-%06d.py\0%s/many/%s-%06d\0' $((i % 50)) "$long" "$i" "$T" "$long" "$i"
done >"$T/many.list"
checks=$((checks + 1)); [ "$(stat -c %s "$T/many.list")" -gt 1048576 ] || fail "the list is not over 1 MiB"
check "mkfs -f 1.1 MiB list" "$MKFS" -f "$T/many.list" "$T/many.img" </dev/null
checks=$((checks + 1)); grep -q "2100 files, 51 directories" "$T/out" || fail "mkfs -f 2,100: $(cat "$T/out")"
check "fsck 2,100 files" "$FSCK" -n "$T/many.img"
check "dump 2,100 files" "$DUMP" "$T/many.img"
checks=$((checks + 1)); [ "$(grep -c " /pkg/d[0-9]*/$long-[0-9]*\.py\$" "$T/out")" -eq 2100 ] ||
    fail "dump lists $(grep -c " /pkg/d[0-9]*/$long-[0-9]*\.py\$" "$T/out") of 2,100 files"

# ---- 4. errors ---------------------------------------------------------------------------
printf '(children:(a:(contents:(host:%s/no-such-file))))' "$T" >"$T/missing.manifest"
expect_error "missing host file" "no-such-file" "$MKFS" "$T/e1.img" <"$T/missing.manifest"
printf '(\n  program:/x\n  children:(a:(contents:(host:/etc/hostname))\n' >"$T/bad.manifest"
expect_error "unterminated manifest" '(line|:)[ ]*[0-9]+:[0-9]+' "$MKFS" "$T/e2.img" <"$T/bad.manifest"
printf '(\n  program /x\n)\n' >"$T/bad2.manifest"
expect_error "manifest line:column" ':2:[0-9]+' "$MKFS" "$T/e3.img" <"$T/bad2.manifest"
expect_error "image too small" "too small" "$MKFS" -s 64K -d "$S" "$T/e4.img" </dev/null
expect_error "bad -s" "size" "$MKFS" -s 12Q "$T/e5.img" </dev/null
expect_error "bad -t" "-t" "$MKFS" -t "(a:" "$T/e6.img" </dev/null
expect_error "-d missing dir" "no-such-dir" "$MKFS" -d "$T/no-such-dir" "$T/e7.img" </dev/null
expect_error "label too long" "label" "$MKFS" -l 0123456789012345678901234567890123 "$T/e8.img" </dev/null
printf '(children:(a:(mode:0644)))' >"$T/kind.manifest"
expect_error "entry without contents/children/linktarget" "/a" "$MKFS" "$T/e9.img" <"$T/kind.manifest"
expect_error "dump of a missing image" "no-such.img" "$DUMP" "$T/no-such.img"
expect_error "fsck of a missing image" "no-such.img" "$FSCK" -n "$T/no-such.img"
head -c 1048576 /dev/zero >"$T/zero.img"
expect_error "dump of a non-TFS image" "." "$DUMP" "$T/zero.img"
"$FSCK" -n "$T/zero.img" >/dev/null 2>&1; rc=$?; checks=$((checks + 1))
[ $rc -ge 4 ] || fail "fsck of a zeroed image exits $rc, want >= 4"
expect_error "usage" "usage" "$MKFS"

# ---- 5. fsck notices damage ----------------------------------------------------------------
cp "$T/d.img" "$T/c.img"
# Smash the first 64 KiB after the first block: the log's start in every layout we document.
dd if=/dev/urandom of="$T/c.img" bs=4096 seek=1 count=16 conv=notrunc status=none
"$FSCK" -n "$T/c.img" >"$T/out" 2>&1; rc=$?; checks=$((checks + 1))
[ $rc -ne 0 ] || fail "fsck -n of a smashed image exits 0"
cp "$T/d.img" "$T/c2.img"
dd if=/dev/zero of="$T/c2.img" bs=512 count=1 conv=notrunc status=none
"$FSCK" -n "$T/c2.img" >"$T/out" 2>&1; rc=$?; checks=$((checks + 1))
[ $rc -ge 4 ] || fail "fsck -n of an image without superblock exits $rc, want >= 4"

# ---- 6. the example manifest, as a new user runs it (from the repository root) -------------
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
check "mkfs examples/tfs-demo" sh -c "cd '$ROOT' && '$MKFS' -l demo -d examples/tfs-demo/root \
    '$T/demo.img' < examples/tfs-demo/demo.manifest"
check "fsck examples/tfs-demo" "$FSCK" "$T/demo.img"
check "dump -x examples/tfs-demo" "$DUMP" -x "$T/x4" "$T/demo.img"
check "demo: -d content" cmp "$ROOT/examples/tfs-demo/root/srv/www/index.html" "$T/x4/srv/www/index.html"
check "demo: manifest content" cmp "$ROOT/examples/tfs-demo/files/config.json" "$T/x4/srv/config.json"
checks=$((checks + 1)); [ "$(readlink "$T/x4/srv/current")" = www ] || fail "demo: symlink"

echo "tools_test: $checks checks, $fails failures"
[ $fails -eq 0 ]
