#!/bin/sh
# petrel_net_test.sh <build dir> <source dir>: networking through `petrel run` (docs/petrel.md
# "Networking", docs/net.md "Configuration"), with netprobe.c as the guest program:
#   - DHCP on QEMU user networking with exec_wait_for_ip4_secs: the program starts with its
#     address (10.0.2.15);
#   - --ip: the static address passed at boot (en1 on the kernel command line, not in the
#     image), slirp's network moved to it; two addresses and DHCP boot one cached image;
#   - -p: an HTTP answer fetched with curl from the host, byte for byte, on microvm with DHCP
#     and on q35 with a static address; a /udp forward echoing a datagram;
#   - a program writing 2 MiB to a host listener and exiting at once: every byte arrives;
#   - a malformed en1 key stops the boot with its message; option errors exit 2 before boot.
NAME=petrel-net
VM=""
CLEANUP='[ -z "$VM" ] || kill "$VM" 2>/dev/null'
. "$(dirname "$0")/petrel_lib.sh"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

gcc -O2 -static -o "$T/netprobe" "$S/tools/tests/netprobe.c" || exit 1
head -c 100000 /dev/urandom >"$T/body.bin"

# DHCP, waiting for the address before the program starts
printf '(exec_wait_for_ip4_secs:60)\n' >"$T/wait.manifest"
"$P" run -q --net user --manifest "$T/wait.manifest" --timeout 120 "$T/netprobe" addr 10.0.2.2 \
    >"$T/dhcp.out" 2>"$T/dhcp.err"
grep -qx "ip 10.0.2.15" "$T/dhcp.out" || fail "dhcp: $(cat "$T/dhcp.out" "$T/dhcp.err")"

# Static addresses, passed at boot (en1 on the kernel command line): one outside slirp's
# default network (slirp moved to it), another inside it, and DHCP, all booting one cached
# image (a cache of their own: one image, built once) and each guest seeing its own address
NC="$T/netcache"
static() { # static <name> <gateway to probe> <petrel options...>
    name=$1 gw=$2
    shift 2
    PETREL_CACHE=$NC "$P" run "$@" --timeout 120 "$T/netprobe" addr "$gw" >"$T/$name.out" \
        2>"$T/$name.err"
}
static static 192.168.77.2 --ip 192.168.77.9
grep -qx "ip 192.168.77.9" "$T/static.out" || fail "static: $(cat "$T/static.out" "$T/static.err")"
static static2 10.0.0.2 --ip 10.0.2.40 --netmask 255.255.0.0
grep -qx "ip 10.0.2.40" "$T/static2.out" || fail "static2: $(cat "$T/static2.out" "$T/static2.err")"
static dhcp2 10.0.2.2 --net user
grep -qx "ip 10.0.2.15" "$T/dhcp2.out" || fail "dhcp2: $(cat "$T/dhcp2.out" "$T/dhcp2.err")"
for r in static2 dhcp2; do
    grep -q "^petrel: image .* (cached)\$" "$T/$r.err" && ! grep -q "building image" "$T/$r.err" ||
        fail "$r: the image was not reused: $(cat "$T/$r.err")"
done
n=$(find "$NC" -name '*.img' | wc -l)
[ "$n" -eq 1 ] || fail "static addresses: $n images in the cache, expected 1"
grep -q "en1" "$NC"/*.img.manifest && fail "static: en1 in the image's manifest: $(cat "$NC"/*.img.manifest)"
# petrel build writes the run's settings into the image (it boots alone): en1 there
"$P" build -q --ip 192.168.77.9 "$T/netprobe" addr 192.168.77.2 >"$T/img" 2>&1
grep -q "en1:(ipaddr:192.168.77.9 netmask:255.255.255.0 gateway:192.168.77.2)" \
    "$(cat "$T/img").manifest" || fail "build: the manifest lacks en1: $(cat "$T/img")"
"$P" build -q --net user "$T/netprobe" addr 10.0.2.2 >"$T/img" 2>&1
grep -q "exec_wait_for_ip4_secs:10" "$(cat "$T/img").manifest" ||
    fail "dhcp: the manifest lacks the wait: $(cat "$T/img")"

# fetch <name> <port>: curl the forwarded port until it answers (bounded), compare the bytes
fetch() {
    i=0
    while [ $i -lt 120 ]; do
        if curl -s -m 20 -o "$T/$1.got" "http://127.0.0.1:$2/body.bin"; then
            cmp -s "$T/$1.got" "$T/body.bin" || fail "$1: the body differs"
            return 0
        fi
        kill -0 "$VM" 2>/dev/null || break
        sleep 1
        i=$((i + 1))
    done
    fail "$1: no answer on port $2: $(cat "$T/$1.err")"
}

# serve <name> <petrel options...>: two requests through -p, then SIGTERM stops the VM
# (a curl that gave up while the guest booted may still have been answered: no count)
serve() {
    name=$1
    shift
    port=$(free_port)
    "$P" run -q -p "127.0.0.1:$port:8080" "$@" --timeout 240 --file "$T/body.bin:/body.bin" \
        "$T/netprobe" serve 8080 /body.bin 1000 >"$T/$name.out" 2>"$T/$name.err" &
    VM=$!
    fetch "$name" "$port"
    fetch "$name" "$port"
    kill -TERM "$VM"
    wait "$VM"
    rc=$?
    [ $rc -eq 143 ] || fail "$name: exit $rc after SIGTERM: $(cat "$T/$name.err")"
    VM=""
}
serve serve_dhcp
serve serve_q35 --machine q35 --ip 10.0.2.30

# UDP: one datagram echoed through a /udp forward
port=$(free_port)
"$P" run -q -p "127.0.0.1:$port:7/udp" --timeout 240 "$T/netprobe" udpecho 7 1000 \
    >"$T/udp.out" 2>"$T/udp.err" &
VM=$!
python3 - "$port" >"$T/udp.client" 2>&1 <<'EOF' || fail "udp: $(cat "$T/udp.client" "$T/udp.err")"
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
deadline = time.time() + 120
while time.time() < deadline:
    s.sendto(b"petrel-udp", ("127.0.0.1", int(sys.argv[1])))
    try:
        data, _ = s.recvfrom(100)
        sys.exit(0 if data == b"petrel-udp" else 1)
    except socket.timeout:
        pass
sys.exit(1)
EOF
kill -TERM "$VM"
wait "$VM"
rc=$?
[ $rc -eq 143 ] || fail "udp: exit $rc after SIGTERM: $(cat "$T/udp.err")"
VM=""

# A program that writes 2 MiB to a host listener and exits at once: every byte arrives
# (the exit path lets TCP finish sending before the VM ends: net_drain)
port=$(free_port)
rm -f "$T/sink.ready"
python3 - "$port" "$T/sink.ready" >"$T/sink.out" 2>&1 <<'EOF' &
import socket, sys
l = socket.socket()
l.bind(("127.0.0.1", int(sys.argv[1])))
l.listen(1)
open(sys.argv[2], "w").close()
l.settimeout(300)
c, _ = l.accept()
c.settimeout(60)
got = bytearray()
try:
    while True:
        b = c.recv(65536)
        if not b:
            break
        got += b
except socket.timeout:
    pass
want = bytes(((i * 7 + (i >> 8)) & 255) for i in range(len(got)))
print(len(got), "exact" if bytes(got) == want else "corrupt")
EOF
SINK=$!
# the guest connects once: boot it only when the host listens (a loaded machine starts python late)
i=0
while [ ! -e "$T/sink.ready" ] && [ $i -lt 600 ] && kill -0 "$SINK" 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
done
[ -e "$T/sink.ready" ] || fail "send: the host listener did not start: $(cat "$T/sink.out")"
"$P" run -q --net user --timeout 240 "$T/netprobe" send 10.0.2.2 "$port" 2097152 \
    >"$T/send.out" 2>"$T/send.err" || fail "send: exit $?: $(cat "$T/send.err")"
wait $SINK
grep -qx "2097152 exact" "$T/sink.out" || fail "send: the host got $(cat "$T/sink.out")"

# A malformed key stops the boot with its message
printf '(en1:(ipaddr:10.0.2.300))\n' >"$T/bad.manifest"
"$P" run -q --net user --manifest "$T/bad.manifest" --timeout 120 "$T/netprobe" addr 10.0.2.2 \
    >"$T/bad.out" 2>"$T/bad.err"
rc=$?
[ $rc -eq 125 ] && grep -q "manifest: en1: ipaddr 10.0.2.300 is not an IPv4 address" "$T/bad.err" ||
    fail "bad key: exit $rc: $(cat "$T/bad.err")"

# Option errors: exit 2 before anything boots
for args in "-p 70000:80" "-p 80" "-p 1.2.3:80:80" "-p 80:80/sctp" "-p 8080:80 -p 8080:81" \
    "--net tap:t0 -p 80:80" "--net wifi" "--netmask 255.255.255.0" "--ip 10.0.2.300" \
    "--ip 10.0.2.9 --netmask 255.0.255.0" "--ip 10.0.2.2" "--net none -p 80:80"; do
    # shellcheck disable=SC2086
    "$P" run -q $args "$T/netprobe" addr 10.0.2.2 >/dev/null 2>"$T/opt.err"
    rc=$?
    [ $rc -eq 2 ] && [ -s "$T/opt.err" ] || fail "options '$args': exit $rc: $(cat "$T/opt.err")"
done

[ $fails -eq 0 ] && echo "petrel_net: all passed"
exit $((fails != 0))
