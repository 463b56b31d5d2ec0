#!/bin/sh
# servers_test.sh <server> <build dir> <source dir> [gohttp binary]: a real server in Petrel
# through `petrel run -p`, fetched from the host with curl and compared byte for byte with the
# files it serves (issue 9, "Real servers"). <server>: go (net/http's FileServer, built with
# golang-go CGO_ENABLED=0: tests/servers/gohttp.go), nginx (Debian's nginx-light: no daemon,
# no master, one worker, this script's config), python (python3 -m http.server).
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
python)
    py=$(readlink -f /usr/bin/python3) || { echo "SKIP: no /usr/bin/python3"; exit 77; }
    # the standard library comes from petrel's runtime rules (docs/petrel.md), not --dir
    set -- "$P" run -q --timeout 600 -p "$fwd" --dir "$T/www:/www" \
        "$py" -m http.server 8080 --directory /www
    ;;
*)
    echo "usage: servers_test.sh go|nginx|python BUILD SOURCE [gohttp]" >&2
    exit 2
    ;;
esac

"$@" >"$T/vm.out" 2>"$T/vm.err" &
VM=$!

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

if [ $fails -eq 0 ]; then
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
