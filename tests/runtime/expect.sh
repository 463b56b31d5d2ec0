#!/bin/sh
# expect.sh <name> <log dir> <expected exit> <regex> <command...>: run the command (a QEMU
# boot), pass when it exits with <expected exit> and its output matches the extended regex
# <regex>; keep the log in <log dir>/<name>.log on failure.
name=$1 logdir=$2 want=$3 re=$4
shift 4
mkdir -p "$logdir"
log="$logdir/$name.log"
"$@" >"$log" 2>&1 </dev/null
got=$?
if [ "$got" -eq "$want" ] && tr -d '\r' <"$log" | grep -Eq -- "$re"; then
    echo "$name: ok (exit $got)"
    rm -f "$log"
    exit 0
fi
echo "$name: FAILED: exit $got (expected $want), or no match for: $re; log in $log:"
tail -n 30 "$log"
exit 1
