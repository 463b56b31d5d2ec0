#!/bin/sh
# petrel_path_test.sh BUILD - `petrel run python3` as a user types it: python3 found on PATH
# (docs/petrel.md "What run does", "Runtime files"), ctest qemu.petrel_python_path.
#
# - A version manager's shim on PATH (pyenv, rbenv, asdf: `exec MANAGER exec NAME "$@"`) is
#   followed with `MANAGER which NAME`: a fixture manager and shim check the resolution, the
#   shim's exports reaching the manager, and a script that is no shim still refused (126).
# - Third-party package trees (site-packages) are set aside and reported, not staged: a
#   fixture python3.9 layout with a site-packages tree checks `petrel deps`.
# - A tree past what a manifest could hold (12,000 files) is built, every file in the image.
# - `petrel run python3 -c 'print(2**100)'` with the python3 of PATH, compared with the
#   same command run natively. On these machines PATH's python3 is a pyenv shim for a 3.11
#   with 460 MB of site-packages. Skips (77) only when PATH has no python3.
NAME=petrel-path
. "$(dirname "$0")/petrel_lib.sh"

# --- a shim and its manager ----------------------------------------------------------------
mkdir -p "$T/mgr/libexec" "$T/mgr/shims" "$T/mgr/versions/1/bin"
cp /bin/true "$T/mgr/versions/1/bin/tool"
cat >"$T/mgr/libexec/mgr" <<EOF
#!/bin/sh
# a version manager: 'which NAME' prints the program NAME stands for (MGR_ROOT from the shim)
[ "\$1" = which ] && [ "\$2" = tool ] && [ "\$MGR_ROOT" = "$T/mgr" ] || exit 1
echo "\$MGR_ROOT/versions/1/bin/\$2"
EOF
cat >"$T/mgr/shims/tool" <<EOF
#!/usr/bin/env bash
set -e
program="\${0##*/}"
export MGR_ROOT="$T/mgr"
exec "$T/mgr/libexec/mgr" exec "\$program" "\$@"
EOF
printf '#!/bin/sh\necho not a shim\n' >"$T/mgr/shims/plain"
chmod +x "$T/mgr/libexec/mgr" "$T/mgr/shims/tool" "$T/mgr/shims/plain"
PATH="$T/mgr/shims:$PATH" "$P" build tool >"$T/shim.out" 2>"$T/shim.err"
rc=$?
[ $rc -eq 0 ] || fail "build of a shim: exit $rc: $(cat "$T/shim.err")"
grep -qF "tool: $T/mgr/shims/tool is a shim of mgr: $T/mgr/versions/1/bin/tool" "$T/shim.err" ||
    fail "shim line missing: $(cat "$T/shim.err")"
grep -qF "$T/mgr/versions/1/bin/tool: dynamic" "$T/shim.err" || fail "shim target not used"
PATH="$T/mgr/shims:$PATH" "$P" deps tool >"$T/shimdeps.out" 2>/dev/null || fail "deps of a shim"
head -1 "$T/shimdeps.out" | grep -qx "$T/mgr/versions/1/bin/tool" ||
    fail "deps of a shim: $(head -1 "$T/shimdeps.out")"
PATH="$T/mgr/shims:$PATH" "$P" build plain >"$T/plain.out" 2>&1
rc=$?
[ $rc -eq 126 ] && grep -q "plain is a script (#!/bin/sh)" "$T/plain.out" ||
    fail "a script that is no shim: exit $rc: $(cat "$T/plain.out")"

# --- site-packages set aside ---------------------------------------------------------------
F="$T/py"
mkdir -p "$F/bin" "$F/lib/python3.9/site-packages/pkg" "$F/lib/python3.9/json"
cp /bin/true "$F/bin/python3.9"
echo "# os" >"$F/lib/python3.9/os.py"
echo "# json" >"$F/lib/python3.9/json/__init__.py"
echo "# pkg" >"$F/lib/python3.9/site-packages/pkg/__init__.py"
echo "# mod" >"$F/lib/python3.9/site-packages/mod.py"
"$P" deps "$F/bin/python3.9" >"$T/fx.out" 2>&1 || fail "deps fixture: exit $?"
grep -qF "$F/lib/python3.9/json/__init__.py (runtime)" "$T/fx.out" || fail "deps: no json"
grep -q "site-packages/" "$T/fx.out" && fail "deps: site-packages staged: $(grep site- "$T/fx.out")"
grep -qxF "# set aside: $F/lib/python3.9/site-packages (2 entries)" "$T/fx.out" ||
    fail "deps: no set-aside line: $(cat "$T/fx.out")"
"$P" build --dir "$F/lib/python3.9/site-packages/pkg" "$F/bin/python3.9" >/dev/null \
    2>"$T/fxb.err" || fail "build fixture: exit $?"
grep -qF "left out $F/lib/python3.9/site-packages (third-party packages, 2 entries): add what \
the program imports with --dir (--dir $F/lib/python3.9/site-packages/NAME)" "$T/fxb.err" ||
    fail "build: no left-out line: $(cat "$T/fxb.err")"

# a tree past what a manifest could hold (1 MiB, about 9,000 files): built through mkfs's file
# list, every file in the image
mkdir "$T/many"
seq -f "$T/many/a-package-module-with-a-long-name-%06g.py" 1 12000 | xargs touch
img=$("$P" build -q --dir "$T/many" /bin/true 2>"$T/many.err")
rc=$?
[ $rc -eq 0 ] || fail "12,000 files: exit $rc: $(cat "$T/many.err")"
n=$("$P" dump "$img" 2>/dev/null | grep -c "$T/many/a-package-module-with-a-long-name-[0-9]*\.py\$")
[ "$n" -eq 12000 ] || fail "12,000 files: the image holds $n"

# --- python3 from PATH ---------------------------------------------------------------------
if ! command -v python3 >/dev/null 2>&1; then
    [ $fails -eq 0 ] || exit 1
    echo "SKIP: no python3 on PATH (the shim and site-packages checks passed)"
    exit 77
fi
native=$(python3 -c 'print(2**100)') || fail "native python3"
t0=$(date +%s)
"$P" run --timeout 300 python3 -c 'print(2**100)' >"$T/py.out" 2>"$T/py.err"
rc=$?
echo "petrel run python3 (PATH: $(command -v python3)): exit $rc in $(($(date +%s) - t0)) s"
sed 's/^/  | /' "$T/py.err"
[ $rc -eq 0 ] || fail "petrel run python3: exit $rc"
[ "$(cat "$T/py.out")" = "$native" ] || fail "python3 printed '$(cat "$T/py.out")', natively '$native'"
[ $fails -eq 0 ] || exit 1
echo "petrel_path: all checks passed"
