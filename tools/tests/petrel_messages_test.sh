#!/bin/sh
# petrel_messages_test.sh <build dir> <source dir>: what `petrel run` says when something
# goes wrong, and the image settings it takes (docs/petrel.md, Messages and Image size):
# - a program killed by a signal sent to it: one line (not for SIGINT), 128 + the signal as
#   natively; out of memory in the program: a line with the VM's memory, exit 137;
# - a VM too small to mount its volume: the kernel says so (exit 125); an -m below what the
#   kernel needs: refused before the boot (exit 2);
# - the image has free space (a 100 MiB file fits by default), --disk-size SIZE and +SIZE;
# - a manifest key nothing reads: a warning with the nearest key; a program not in the image:
#   refused before the boot (exit 125); every key the kernel reads is known to mkfs;
# - --ops-config: Program, Args, Env, Files, Dirs, MapDirs, RunConfig.Memory applied, the
#   ignored keys listed, a bad file refused (exit 2);
# - every failure found before the boot (a missing --file/--dir/--manifest/kernel, bad -e,
#   --accel, --machine, guest paths, a file over a directory, a cache that cannot be made,
#   an image too small for --disk-size, a malformed --manifest): its line and exit code.
NAME=petrel-msg
. "$(dirname "$0")/petrel_lib.sh"

# expect <name> <exit code> <stderr pattern (grep -E)> -- command...
expect() {
    name=$1 code=$2 pat=$3
    shift 4
    "$@" >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    [ "$rc" -eq "$code" ] || fail "$name: exit $rc, expected $code; stderr: $(cat "$T/$name.err")"
    [ -z "$pat" ] || grep -Eq -- "$pat" "$T/$name.err" ||
        fail "$name: stderr lacks '$pat': $(cat "$T/$name.err")"
}

gcc -O2 -static -o "$T/prog" "$S/tools/tests/petrel_messages.c" || exit 1
gcc -O2 -static -o "$T/args" "$S/tests/runtime/progs/args.c" || exit 1

# killed by a signal: the same exit code as natively, one line (none for SIGINT)
for sig in 15 9; do
    "$T/prog" kill $sig 2>/dev/null
    native=$?
    name=$(kill -l $sig)
    expect "kill$sig" "$native" "^petrel: $T/prog killed by SIG$name\$" -- "$P" run -q "$T/prog" kill $sig
done
"$T/prog" abort 2>/dev/null
expect abort $? "^petrel: $T/prog killed by SIGABRT\$" -- "$P" run -q "$T/prog" abort
expect sigint 130 "" -- "$P" run -q "$T/prog" kill 2
[ ! -s "$T/sigint.err" ] || fail "sigint: a line for SIGINT: $(cat "$T/sigint.err")"

# out of memory: the program is killed (SIGKILL, as Linux's OOM killer) with the VM's size
expect oom 137 "^petrel: $T/prog killed: out of memory at 0x[0-9a-f]+ \(the VM has [0-9]+ MiB of usable RAM, [0-9]+ KiB free\): give it more \(petrel run -m\)\$" \
    -- "$P" run -q -m 16M "$T/prog" oom

# a VM too small to mount the volume; an -m too small to boot at all
# (3200K: the block path's allocations fail first, which TFS used to report as EIO: "block
# device 0 holds no mountable TFS volume: EIO"; 2800K: the streams' buffers do not fit; 3M:
# they fit and leave too little for the first kernel thread, which used to panic)
for mem in 2800K 3M 3200K 3300K; do
    expect "mem_mount$mem" 125 "^petrel: not enough memory to (mount the image's volume|start the kernel) \(the VM has [0-9]+ KiB of usable RAM\): give it more \(petrel run -m\)\$" \
        -- "$P" run -q -m $mem "$T/prog" abort
    grep -Eq "no mountable TFS volume|EIO" "$T/mem_mount$mem.err" && fail "mem_mount$mem: blames the volume"
done
grep -q "^virtio-console: not enough memory for the streams' buffers" "$T/mem_mount2800K.err" ||
    fail "mem_mount2800K: no line about the streams' buffers: $(cat "$T/mem_mount2800K.err")"
expect mem_tiny 2 "^petrel: -m 1M: too little memory: the kernel needs at least 2 MiB" -- \
    "$P" run -q -m 1M "$T/prog" abort
expect mem_bad 2 "^petrel: -m lots: not a size" -- "$P" run -q -m lots "$T/prog" abort

# image size: free space by default; --disk-size SIZE (the whole image) and +SIZE (free)
# (a cache of its own: the image of prog, whatever its arguments, is built once and reused)
expect size_default 0 "MiB free" -- env PETREL_CACHE="$T/cache-size" "$P" run "$T/prog" write /big 100
grep -qx "wrote 100 MiB" "$T/size_default.out" || fail "size_default: $(cat "$T/size_default.out")"
# (a full volume: the write or fsync fails with ENOSPC, exit 28; or, a kernel limit noted in
# docs/CAVEATS.md, the page cache cannot evict the dirty pages and a page of the program's
# own text cannot be read back: SIGBUS, exit 135. Either way the 30 MiB did not fit.)
full() { # full <name>
    rc=$(cat "$T/$1.rc")
    if [ "$rc" -eq 28 ]; then
        grep -q "No space left on device" "$T/$1.out" || fail "$1: $(cat "$T/$1.out")"
    elif [ "$rc" -ne 135 ]; then
        fail "$1: exit $rc, expected 28 (ENOSPC) or 135; $(cat "$T/$1.out" "$T/$1.err")"
    fi
}
"$P" run -q --disk-size 8M "$T/prog" write /big 20 >"$T/size_small.out" 2>"$T/size_small.err"
echo $? >"$T/size_small.rc"
full size_small
expect size_plus 0 "" -- "$P" run -q --disk-size +40M "$T/prog" write /big 30
"$P" run -q --disk-size +4M "$T/prog" write /big 30 >"$T/size_plus_small.out" 2>"$T/size_plus_small.err"
echo $? >"$T/size_plus_small.rc"
full size_plus_small
expect size_bad 2 "^petrel: --disk-size 12Q: not a size" -- "$P" run -q --disk-size 12Q "$T/prog"

# manifest keys nobody reads (a warning), a program not in the image (refused)
printf '(debugsyscall:t enviroment:(A:b) frobnicate:x)\n' >"$T/typo.manifest"
expect typo 0 "manifest key 'debugsyscall' is read by nothing \(did you mean 'debugsyscalls'\?\)" \
    -- "$P" run -q --manifest "$T/typo.manifest" "$T/args"
grep -q "manifest key 'enviroment' is read by nothing (did you mean 'environment'?)" \
    "$T/typo.err" || fail "typo: $(cat "$T/typo.err")"
grep -q "manifest key 'frobnicate' is read by nothing\$" "$T/typo.err" ||
    fail "typo: $(cat "$T/typo.err")"
printf '(program:/no/such/program)\n' >"$T/noprog.manifest"
expect noprog 125 "program /no/such/program is not in the image \(no /no\)" -- \
    "$P" run -q --manifest "$T/noprog.manifest" "$T/args"
grep -q "booting" "$T/noprog.err" && fail "noprog: it booted"
# failures found before anything boots: each message, its exit code (2 usage, 125 petrel), no boot
echo data >"$T/data.txt"
: >"$T/afile"
while IFS='|' read -r id code pat args; do # (expect sets name)
    expect "pre_$id" "$code" "$pat" -- sh -c "$args"
    grep -q "booting" "$T/pre_$id.err" && fail "pre_$id: it booted"
done <<EOF
file_missing|125|^petrel: --file $T/no-such: No such file or directory\$|'$P' run -q --file '$T/no-such' '$T/args'
file_dir|125|^petrel: --file $T is a directory \(use --dir\)\$|'$P' run -q --file '$T' '$T/args'
dir_missing|125|^petrel: --dir $T/no-such: No such file or directory\$|'$P' run -q --dir '$T/no-such' '$T/args'
env_bad|2|^petrel: -e FOO: expected KEY=VALUE\$|'$P' run -q -e FOO '$T/args'
accel_bad|2|^petrel: --accel must be auto, kvm or tcg\$|'$P' run -q --accel xyz '$T/args'
machine_bad|2|^petrel: --machine must be microvm or q35\$|'$P' run -q --machine pc '$T/args'
guest_relative|2|^petrel: guest path rel/x is not absolute\$|'$P' run -q --file '$T/data.txt:rel/x' '$T/args'
guest_dotdot|2|^petrel: guest path /a/../b has \. or \.\. components\$|'$P' run -q --file '$T/data.txt:/a/../b' '$T/args'
file_over_dir|125|^petrel: /tmp: a directory in the image, cannot be a file too\$|'$P' run -q --file '$T/data.txt:/tmp' '$T/args'
parent_file|125|^petrel: /x/y: a parent of it is a file in the image\$|'$P' run -q --file '$T/data.txt:/x' --file '$T/data.txt:/x/y' '$T/args'
manifest_missing|125|^petrel: --manifest $T/no-such: No such file or directory\$|'$P' run -q --manifest '$T/no-such' '$T/args'
kernel_missing|125|^petrel: kernel $T/no-kernel is missing \(build the tree, or set PETREL_KERNEL\)\$|PETREL_KERNEL='$T/no-kernel' '$P' run -q '$T/args'
cache_bad|125|^petrel: cannot create the cache $T/afile/cache: Not a directory\$|PETREL_CACHE='$T/afile/cache' '$P' run -q '$T/args'
disk_small|125|^petrel: mkfs failed \(exit 1\) \(is --disk-size large enough\? \+SIZE adds free space instead\); manifest in .*\.manifest, files in .*\.files\$|'$P' run -q --disk-size 300K '$T/args'
EOF
grep -q "^mkfs: image too small" "$T/pre_disk_small.err" || fail "disk_small: no mkfs line: $(cat "$T/pre_disk_small.err")"
printf '(a:\n' >"$T/bad.manifest"
expect pre_manifest_bad 125 "^petrel: mkfs failed \(exit 1\); manifest in" -- \
    "$P" run -q --manifest "$T/bad.manifest" "$T/args"
grep -q "^mkfs: -t:2:1: expected a value, found end of input\$" "$T/pre_manifest_bad.err" ||
    fail "manifest_bad: no parser line: $(cat "$T/pre_manifest_bad.err")"
# every key the kernel reads by name is one mkfs knows
grep -rhoE 'config_get[a-z_]*\((root|cfg|r|c), "[a-z_]+"' "$S/core" "$S/hal_x86" "$S/net" 2>/dev/null |
    sed 's/.*"\(.*\)"/\1/' | sort -u >"$T/keys"
while read -r k; do
    grep -q "\"$k\"" "$S/tools/mkfs.c" || fail "key $k read by the kernel is not in mkfs's known_keys"
done <"$T/keys"
[ -s "$T/keys" ] || fail "no keys found in core/ (the pattern is stale)"

# --ops-config
mkdir -p "$T/proj/static" "$T/proj/bin"
echo page >"$T/proj/static/index.html"
echo conf >"$T/proj/app.conf"
echo tool >"$T/proj/bin/tool"
cat >"$T/proj/config.json" <<JSON
{
  "Program": "$T/args",
  "Args": ["one", "two words"],
  "Env": {"GREETING": "hi"},
  "Files": ["app.conf"],
  "Dirs": ["static"],
  "MapDirs": {"bin/*": "/usr/local/bin"},
  "RunConfig": {"Memory": "96M", "Ports": ["8080"], "Verbos": true},
  "Kernel": "kernel.img",
  "Argz": []
}
JSON
(cd "$T/proj" && "$P" run --ops-config config.json) >"$T/ops.out" 2>"$T/ops.err" ||
    fail "ops: exit $?: $(cat "$T/ops.err")"
for line in "argv[0]=$T/args" "argv[1]=one" "argv[2]=two words" \
    "env GREETING=hi"; do
    grep -qxF "$line" "$T/ops.out" || fail "ops: no '$line' in $(cat "$T/ops.out")"
done
for line in "ignored RunConfig.Ports (use -p)" "ignored RunConfig.Verbos (unknown; did you mean Verbose?)" \
    "ignored Kernel (Petrel uses its own kernel)" "ignored Argz (unknown; did you mean Args?)" \
    "(microvm, [a-z]*, 96M)"; do
    grep -q -- "$line" "$T/ops.err" || fail "ops: stderr lacks '$line': $(cat "$T/ops.err")"
done
img=$(cd "$T/proj" && "$P" build -q --ops-config config.json 2>/dev/null)
"$P" dump -l "$img" >"$T/ops.dump" 2>&1 || "$P" dump "$img" >"$T/ops.dump" 2>&1
for f in app.conf index.html tool; do
    grep -q "$f" "$T/ops.dump" || fail "ops: $f not in the image"
done
printf '{"Args": [1]}' >"$T/bad.json"
expect ops_bad 2 "^petrel: --ops-config $T/bad.json: Args: expected a string without NUL bytes, found a number\$" \
    -- "$P" run -q --ops-config "$T/bad.json" "$T/args"
printf '{"Args": [}' >"$T/bad2.json"
expect ops_syntax 2 "^petrel: --ops-config $T/bad2.json: 1:11: expected a value\$" \
    -- "$P" run -q --ops-config "$T/bad2.json" "$T/args"

[ "$fails" -eq 0 ] && echo "petrel_messages_test: all passed"
[ "$fails" -eq 0 ]
