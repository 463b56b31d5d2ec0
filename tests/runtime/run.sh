#!/bin/bash
# run.sh <name> <log dir> <tree> <scripts/qemu> <petrel.elf> <image> <binary> <rt_exec> ENV=... -- argv...
#
# Runs <binary> natively with argv (argv[0] as given) in <tree> with exactly the ENV=...
# variables, then boots <image> (the same program, tree and environment in a TFS image) with
# petrel.elf under scripts/qemu. Passes when the exit codes are equal and the standard outputs
# are equal (the serial console's CRs removed). PETREL_FILTER, when set, is a shell filter
# applied to both outputs first (say what it hides, in CMakeLists.txt). On failure the native
# output, the console log and a diff stay in <log dir>/<name>.{native,qemu,diff}.
set -u
. "$(dirname "$0")/rt_args.sh"
rt_args "$@"
mkdir -p "$logdir"
base="$logdir/$name"
filter=${PETREL_FILTER:-cat}

start=$(date +%s%N)
(cd "$tree" && exec env -i "${envs[@]}" "$rtexec" "$binary" "${argv[@]}") \
    >"$base.native.raw" 2>"$base.native.err" </dev/null
native=$?
PETREL_TIMEOUT=${PETREL_TIMEOUT:-20} "$qemu" -d "$image" "$kernel" >"$base.qemu.raw" \
    2>"$base.qemu.err" </dev/null
petrel=$?
ms=$((($(date +%s%N) - start) / 1000000))

tr -d '\r' <"$base.qemu.raw" | sh -c "$filter" >"$base.qemu"
sh -c "$filter" <"$base.native.raw" >"$base.native"
ok=1
if [ "$native" -ne "$petrel" ]; then
    echo "$name: exit code $petrel in Petrel, $native natively"
    ok=0
fi
if ! diff -u "$base.native" "$base.qemu" >"$base.diff"; then
    echo "$name: output differs (- native, + Petrel):"
    head -n 40 "$base.diff"
    ok=0
fi
if [ "$ok" -eq 1 ]; then
    echo "$name: ok (exit $native) in ${ms} ms"
    rm -f "$base".*
    exit 0
fi
echo "$name: FAILED; logs in $base.{native,qemu,diff,qemu.err}; console:"
tail -n 30 "$base.qemu.raw"
cat "$base.qemu.err"
exit 1
