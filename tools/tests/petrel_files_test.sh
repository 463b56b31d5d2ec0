#!/bin/sh
# petrel_files_test.sh <build dir> <source dir>: the files runtimes read, under `petrel run`
# (docs/petrel.md): tools/tests/petrel_files.c checks /proc/self/fd, /dev/fd and
# /dev/std*, /proc/self/{stat,status,mountinfo}, /proc/sys, /sys, and the tmpfs mounts against
# the system's own answers; it must pass natively and in Petrel (there with /tmp a tmpfs too).
# Then the manifest's tmpfs_size: a 64 KiB tmpfs refuses 100 KiB (ENOSPC), and with the
# program itself in /tmp the image's /tmp is kept (no tmpfs over it). /etc/passwd, group,
# hosts and resolv.conf supplied when the image has none (getpwuid, getgrgid, getaddrinfo),
# and an image's own /etc/hosts kept.
NAME=petrel-files
X=""
CLEANUP='[ -z "$X" ] || rm -rf "$X"'
. "$(dirname "$0")/petrel_lib.sh"
# The program goes where the image keeps it: never under /tmp (a program in the image's /tmp
# keeps the image's /tmp, no tmpfs there), which a build tree in a temporary clone would be.
X=$(mktemp -d /var/tmp/petrel-files.XXXXXX) || exit 1

gcc -O2 -static -o "$X/petrel_files" "$S/tools/tests/petrel_files.c" || exit 1
"$X/petrel_files" >"$T/native.out" || fail "native run: $(grep FAIL "$T/native.out")"
"$P" run -q "$X/petrel_files" tmpfs >"$T/petrel.out" 2>"$T/petrel.err" ||
    fail "petrel run: $(grep FAIL "$T/petrel.out") $(cat "$T/petrel.err")"
grep -q "^ok /tmp$" "$T/petrel.out" || fail "/tmp is not a tmpfs in Petrel"
grep -v "^ok /tmp$" "$T/petrel.out" | cmp -s - "$T/native.out" ||
    fail "checks differ from the native run: $(diff "$T/native.out" "$T/petrel.out")"

# tmpfs_size: 64 KiB
printf '(tmpfs_size:64K)\n' >"$T/small.manifest"
"$P" run -q --manifest "$T/small.manifest" /bin/dd if=/dev/zero of=/tmp/big bs=1k count=100 \
    >"$T/dd.out" 2>"$T/dd.err"
rc=$?
[ "$rc" -eq 1 ] || fail "tmpfs_size: dd exit $rc, expected 1"
grep -q "No space left on device" "$T/dd.err" || fail "tmpfs_size: $(cat "$T/dd.err")"
grep -q "^65536 bytes" "$T/dd.err" || fail "tmpfs_size: not 64 KiB written: $(cat "$T/dd.err")"

# a program in /tmp: the image's /tmp stays (the program is there)
mkdir -p "$T/img/tmp"
cp "$X/petrel_files" "$T/img/tmp/pf"
"$P" run -q --dir "$T/img/tmp:/tmp" /bin/ls /tmp >"$T/ls.out" 2>"$T/ls.err" ||
    fail "image /tmp: exit $? $(cat "$T/ls.err")"
grep -qx pf "$T/ls.out" || fail "image /tmp: the image's file is hidden: $(cat "$T/ls.out")"

# /etc files a libc reads, supplied when the image has none of its own: a user and a group by
# name (as natively for root), localhost, slirp's resolver; an image's own file (--file) wins
"$P" run -q /usr/bin/id -un >"$T/id.out" 2>"$T/id.err" || fail "id: exit $?: $(cat "$T/id.err")"
[ "$(cat "$T/id.out")" = "$(id -un 0)" ] || fail "id -un: '$(cat "$T/id.out")'"
"$P" run -q /usr/bin/getent group 0 >"$T/grp.out" 2>&1 || fail "getent group: $(cat "$T/grp.out")"
grep -q "^root:x:0:" "$T/grp.out" || fail "getent group 0: $(cat "$T/grp.out")"
"$P" run -q /usr/bin/getent hosts localhost >"$T/hosts.out" 2>&1 ||
    fail "getent hosts: $(cat "$T/hosts.out")"
grep -q "localhost" "$T/hosts.out" || fail "getent hosts localhost: $(cat "$T/hosts.out")"
"$P" run -q /bin/cat /etc/resolv.conf >"$T/resolv.out" 2>&1
grep -qx "nameserver 10.0.2.3" "$T/resolv.out" || fail "resolv.conf: $(cat "$T/resolv.out")"
printf '10.9.9.9\tmine\n' >"$T/myhosts"
"$P" run -q --file "$T/myhosts:/etc/hosts" /bin/cat /etc/hosts /etc/passwd >"$T/own.out" 2>&1
grep -qx "10.9.9.9.mine" "$T/own.out" && grep -q "^root:x:0:0:" "$T/own.out" ||
    fail "own /etc/hosts: $(cat "$T/own.out")"
grep -q localhost "$T/own.out" && fail "own /etc/hosts: the default replaced it"

[ "$fails" -eq 0 ] && echo "petrel_files_test: all passed"
exit $((fails > 0))
