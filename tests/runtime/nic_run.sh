#!/bin/bash
# nic_run.sh <name> <log dir> <tree> <scripts/qemu> <petrel.elf> <image> <binary> <rt_exec>
#            ENV=... -- <argv0> <mode>
#
# run.sh for a program with a peer on the host (progs/nic_io.c, peers/nic_peer.c in
# $PETREL_NIC_PEER; mode tcp_out, tcp_in, udp_out or udp_in). Runs the same exchange twice
# with a fresh peer each time:
#   - natively: <binary> in <tree> with exactly ENV=..., over the host's own stack to the
#     peer on 127.0.0.1;
#   - in Petrel: <image> booted with a virtio NIC on QEMU user networking, the guest at
#     10.0.2.15 (static, on the kernel command line, so no DHCP wait): "out" modes reach the
#     peer at 10.0.2.2 (slirp's address for the host's 127.0.0.1), "in" modes listen on guest
#     port 7000, forwarded from a free host port (hostfwd) the peer connects to.
# The program's arguments (addresses and ports differ between the runs) are given at boot
# (arguments=[...], the manifest override). Passes when the exit codes are equal and both the
# program's output and the peer's are equal. On failure the outputs and diffs stay in
# <log dir>/<name>.*.
set -u
. "$(dirname "$0")/rt_args.sh"
rt_args "$@"
argv0=${argv[0]} mode=${argv[1]}
peer=${PETREL_NIC_PEER:?PETREL_NIC_PEER: the nic_peer binary}
mkdir -p "$logdir"
base="$logdir/$name"
rm -f "$base".*
case $mode in
tcp_out | udp_out) dir=out ;;
tcp_in | udp_in) dir=in proto=${mode%_in} ;;
*) echo "$name: unknown mode $mode"; exit 2 ;;
esac

# start_peer <run>: an "out" peer listening; sets port, closed, pid
start_peer() {
    rm -f "$base.$1.ports"
    "$peer" "$mode" "$base.$1.ports" >"$base.$1.peer" 2>"$base.$1.peer.err" &
    pid=$!
    for _ in $(seq 200); do
        [ -e "$base.$1.ports" ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    read -r port closed <"$base.$1.ports" || { echo "$name: the peer did not start"; exit 1; }
}

# reap_peer: the program is done; the peer has 5 s to finish (its last datagram may still be on
# its way), then it is stopped (a program that failed leaves it waiting)
reap_peer() {
    for _ in $(seq 100); do
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
}

start=$(date +%s%N)
# natively
if [ $dir = out ]; then
    start_peer native
    (cd "$tree" && exec env -i "${envs[@]}" "$rtexec" "$binary" "$argv0" "$mode" 127.0.0.1 \
        "$port" $([ "$mode" = tcp_out ] && echo "$closed")) >"$base.native.raw" \
        2>"$base.native.err" </dev/null
    native=$?
    reap_peer
else
    port=$("$peer" freeport) || exit 1
    (cd "$tree" && exec env -i "${envs[@]}" "$rtexec" "$binary" "$argv0" "$mode" 127.0.0.1 \
        "$port") >"$base.native.raw" 2>"$base.native.err" </dev/null &
    ppid=$!
    "$peer" "$mode" "$port" >"$base.native.peer" 2>"$base.native.peer.err" &
    pid=$!
    wait $ppid
    native=$?
    reap_peer
fi

# in Petrel
ip='en1=("ipaddr":"10.0.2.15""netmask":"255.255.255.0""gateway":"10.0.2.2")'
export PETREL_TIMEOUT=${PETREL_TIMEOUT:-60}
if [ $dir = out ]; then
    start_peer petrel
    extra=""
    [ "$mode" = tcp_out ] && extra="\"$closed\""
    "$qemu" -n -c "$ip arguments=[\"$argv0\"\"$mode\"\"10.0.2.2\"\"$port\"$extra]" -d "$image" \
        "$kernel" >"$base.qemu.raw" 2>"$base.qemu.err" </dev/null
    petrel=$?
    reap_peer
else
    port=$("$peer" freeport) || exit 1
    "$qemu" -N "user,hostfwd=$proto:127.0.0.1:$port-:7000" \
        -c "$ip arguments=[\"$argv0\"\"$mode\"\"0.0.0.0\"\"7000\"]" -d "$image" "$kernel" \
        >"$base.qemu.raw" 2>"$base.qemu.err" </dev/null &
    qpid=$!
    "$peer" "$mode" "$port" >"$base.petrel.peer" 2>"$base.petrel.peer.err" &
    pid=$!
    wait $qpid
    petrel=$?
    reap_peer
fi
ms=$((($(date +%s%N) - start) / 1000000))

tr -d '\r' <"$base.qemu.raw" >"$base.qemu"
cp "$base.native.raw" "$base.native"
ok=1
if [ "$native" -ne "$petrel" ]; then
    echo "$name: exit code $petrel in Petrel, $native natively"
    ok=0
fi
for what in program peer; do
    if [ $what = program ]; then a="$base.native" b="$base.qemu"; else
        a="$base.native.peer" b="$base.petrel.peer"; fi
    if ! diff -u "$a" "$b" >"$base.$what.diff"; then
        echo "$name: the $what's output differs (- native, + Petrel):"
        head -n 40 "$base.$what.diff"
        ok=0
    fi
done
if [ "$ok" -eq 1 ]; then
    echo "$name: ok (exit $native, $(wc -l <"$base.native") + $(wc -l <"$base.native.peer") lines) in ${ms} ms"
    rm -f "$base".*
    exit 0
fi
echo "$name: FAILED; logs in $base.*; console:"
tail -n 30 "$base.qemu.raw"
cat "$base.qemu.err" "$base".*.peer.err 2>/dev/null
exit 1
