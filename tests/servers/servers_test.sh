#!/bin/sh
# servers_test.sh <server> <build dir> <source dir> [gohttp binary]: a real server in Petrel
# through `petrel run -p`, fetched from the host with curl and compared byte for byte with the
# files it serves (issue 9, "Real servers"). <server>: go (net/http's FileServer, built with
# golang-go CGO_ENABLED=0: tests/servers/gohttp.go), nginx (Debian's nginx-light: no daemon,
# no master, one worker, this script's config), python (python3 -m http.server), python_plain
# (`petrel run -p PORT:8080 python3 -m http.server 8080` exactly, issue 9's "Done when": the
# listing of the image's root), iperf3 (`iperf3 -s`: 8 MiB each way, -R too, without an error).
#
# The tree is small (TCG is slow here): an index, a 64 KiB binary, a text file two levels
# down. curl is retried (bounded) until the guest answers, every file is fetched twice on
# separate connections ("/" for the index), a directory listing once, and a missing file
# must be a 404. Then
# SIGTERM stops the VM (petrel exits 143). Exit 77 (skipped) when the server is not installed.
set -u
KIND=$1
B=$2
S=$3
P=$B/bin/petrel
T=$(mktemp -d "${TMPDIR:-/tmp}/petrel-srv.XXXXXX") || exit 1
VM=""
trap '[ -z "$VM" ] || kill "$VM" 2>/dev/null; rm -rf "$T"' EXIT
export PETREL_CACHE="$T/cache"
fails=0

fail() {
    echo "FAIL: $KIND: $*"
    fails=$((fails + 1))
}

mkdir -p "$T/www/docs/notes"
printf '<html><body>petrel %s</body></html>\n' "$KIND" >"$T/www/index.html"
head -c 65536 /dev/urandom >"$T/www/blob.bin"
seq 1 2000 >"$T/www/docs/notes/numbers.txt"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fwd="127.0.0.1:$port:8080"

case "$KIND" in
go)
    [ -x "${4:-}" ] || { echo "SKIP: no gohttp binary (golang-go missing)"; exit 77; }
    set -- "$P" run -q --timeout 600 -p "$fwd" --dir "$T/www:/www" "$4" 8080 /www
    ;;
nginx)
    [ -x /usr/sbin/nginx ] || { echo "SKIP: /usr/sbin/nginx missing (scripts/bootstrap installs nginx-light)"; exit 77; }
    cat >"$T/nginx.conf" <<'CONF'
daemon off;
master_process off;
worker_processes 1;
error_log stderr warn;
pid /tmp/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path /tmp/body;
    proxy_temp_path /tmp/proxy;
    fastcgi_temp_path /tmp/fastcgi;
    uwsgi_temp_path /tmp/uwsgi;
    scgi_temp_path /tmp/scgi;
    types { text/html html; text/plain txt; application/octet-stream bin; }
    server {
        listen 8080;
        root /www;
        autoindex on;
    }
}
CONF
    # nginx started as root looks up its worker user ("nobody") even without a master
    printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$T/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$T/group"
    set -- "$P" run -q --timeout 600 -p "$fwd" --dir "$T/www:/www" --file "$T/nginx.conf:/etc/nginx/test.conf" \
        --file "$T/passwd:/etc/passwd" --file "$T/group:/etc/group" \
        /usr/sbin/nginx -p /tmp -c /etc/nginx/test.conf -e stderr
    ;;
iperf3)
    ip3=$(command -v iperf3) || { echo "SKIP: no iperf3 (scripts/bootstrap installs it)"; exit 77; }
    set -- "$P" run -q --timeout 600 -p "$fwd" "$(readlink -f "$ip3")" -s -p 8080
    ;;
python_plain)
    # issue 9's "Done when", as a new user types it (only the host port is a free one): the
    # image's root is the program's cwd, so that is the directory served
    command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
    set -- "$P" run -p "$port:8080" python3 -m http.server 8080
    ;;
python)
    py=$(readlink -f /usr/bin/python3) || { echo "SKIP: no /usr/bin/python3"; exit 77; }
    # the standard library comes from petrel's runtime rules (docs/petrel.md), not --dir
    set -- "$P" run -q --timeout 600 -p "$fwd" --dir "$T/www:/www" \
        "$py" -m http.server 8080 --directory /www
    ;;
*)
    echo "usage: servers_test.sh go|nginx|python|python_plain|iperf3 BUILD SOURCE [gohttp]" >&2
    exit 2
    ;;
esac

"$@" >"$T/vm.out" 2>"$T/vm.err" &
VM=$!

# iperf3 <args>: one test from the host against the guest's server, JSON in $T/ip3.json; then
# the sender must have sent the 8 MiB asked for without an error and the receiver have counted
# some (iperf3 sends no checkable content, and its receiver stops counting at the end message,
# so bytes still in QEMU's buffers then are not in its count: the counts differ host to guest)
ip3() { # iperf3 3.12 with -J exits 0 even when it fails: its JSON says "error"
    iperf3 -c 127.0.0.1 -p "$port" -J "$@" >"$T/ip3.json" 2>"$T/ip3.err" &&
        ! grep -q '"error"' "$T/ip3.json"
}
ip3_check() {
    python3 - "$T/ip3.json" "$1" <<'PY' || fail "iperf3 $1: $(tail -c 300 "$T/ip3.json")"
import json, sys
r = json.load(open(sys.argv[1]))
e = r["end"]
sent, got = e["sum_sent"]["bytes"], e["sum_received"]["bytes"]
sys.exit(0 if "error" not in r and sent == 8 << 20 and got > 0 else 1)
PY
}
if [ "$KIND" = iperf3 ]; then
    i=0
    until ip3 -n 128K; do # the first answer, while the guest boots
        kill -0 "$VM" 2>/dev/null || break
        i=$((i + 1))
        [ $i -lt 180 ] || break
        sleep 1
    done
    ip3 -n 128K || fail "no iperf3 server on port $port: $(tail -5 "$T/vm.err")"
    if [ $fails -eq 0 ]; then
        ip3 -n 8M && ip3_check "host to guest" || fail "iperf3 host to guest failed"
        ip3 -n 8M -R && ip3_check "guest to host" || fail "iperf3 guest to host (-R) failed"
    fi
    kill -TERM "$VM" 2>/dev/null
    wait "$VM"
    VM=""
    [ $fails -eq 0 ] && echo "server iperf3: all passed"
    exit $((fails != 0))
fi

# get <path> <file>: one fetch; its HTTP status in $T/status
get() {
    curl -s -m 30 -o "$2" -w '%{http_code}' "http://127.0.0.1:$port$1" >"$T/status"
}

# the first answer: retried while the guest boots (at most ~3 minutes under TCG)
i=0
until get / "$T/index.got"; do
    kill -0 "$VM" 2>/dev/null || break
    i=$((i + 1))
    [ $i -lt 180 ] || break
    sleep 1
done
[ "$(cat "$T/status")" = 200 ] || fail "no answer on port $port (status $(cat "$T/status")): $(tail -5 "$T/vm.err")"

if [ $fails -eq 0 ] && [ "$KIND" = python_plain ]; then
    grep -q "Directory listing for /" "$T/index.got" ||
        fail "GET /: no directory listing of /: $(head -c 300 "$T/index.got")"
    get /missing.txt "$T/got"
    [ "$(cat "$T/status")" = 404 ] || fail "GET /missing.txt: status $(cat "$T/status"), expected 404"
elif [ $fails -eq 0 ]; then
    for round in 1 2; do
        # "/" is index.html (Go's FileServer redirects /index.html there)
        for f in /:index.html /blob.bin:blob.bin /docs/notes/numbers.txt:docs/notes/numbers.txt; do
            url=${f%%:*} file=${f#*:}
            get "$url" "$T/got" || fail "GET $url (round $round): curl failed"
            [ "$(cat "$T/status")" = 200 ] || fail "GET $url: status $(cat "$T/status")"
            cmp -s "$T/got" "$T/www/$file" || fail "GET $url (round $round): the body differs"
        done
    done
    get /docs/notes/ "$T/listing" && grep -q numbers.txt "$T/listing" ||
        fail "the directory listing lacks numbers.txt: $(head -c 300 "$T/listing")"
    get /missing.txt "$T/got"
    [ "$(cat "$T/status")" = 404 ] || fail "GET /missing.txt: status $(cat "$T/status"), expected 404"
fi

kill -TERM "$VM" 2>/dev/null
wait "$VM"
rc=$?
VM=""
[ $rc -eq 143 ] || fail "petrel exited $rc after SIGTERM (expected 143): $(tail -5 "$T/vm.err")"
[ $fails -eq 0 ] && echo "server $KIND: all passed"
exit $((fails != 0))
