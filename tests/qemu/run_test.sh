#!/bin/sh
# run_test.sh <name> <log dir> <expected exit code> <command...>
# Runs the command (scripts/qemu ...), keeping its console output; passes when the exit code
# matches and every line of $PETREL_EXPECT (one extended regex per line) matches the output.
# On failure the console log stays in <log dir>/<name>.log and its tail is printed.
name=$1 logdir=$2 want=$3
shift 3
mkdir -p "$logdir"
log="$logdir/$name.log"
start=$(date +%s%N)
"$@" >"$log" 2>&1 </dev/null
got=$?
ms=$((($(date +%s%N) - start) / 1000000))
ok=1
if [ "$got" -ne "$want" ]; then
    echo "$name: exit code $got, expected $want"
    ok=0
fi
if [ -n "${PETREL_EXPECT:-}" ]; then
    echo "$PETREL_EXPECT" | while IFS= read -r re; do
        [ -z "$re" ] || grep -Eq -- "$re" "$log" || { echo "$name: no match for: $re"; exit 1; }
    done || ok=0
fi
if [ "$ok" -eq 1 ]; then
    echo "$name: ok in ${ms} ms"
    rm -f "$log"
    exit 0
fi
echo "$name: FAILED after ${ms} ms; console log kept in $log; last lines:"
tail -n 40 "$log"
exit 1
