#!/bin/sh
# release_check_selftest.sh <release_check.py> <scratch dir>: the check must fail on a file
# that compiles clean in Debug and warns only when optimised (the shape of the pd_run.c bug
# that landed: a local set by a callee only on success, -Wmaybe-uninitialized at -O2/-O3),
# pass on a clean one, and skip freestanding objects (compiled at -O2 by every build).
check=$1 s=$2
rm -rf "$s" && mkdir -p "$s" || exit 1
cat >"$s/bad.c" <<'C'
int use(int);
static int pick(int c, int *out)
{
    if (c > 3)
        return -1;
    if (c > 1)
        *out = c * 2;
    return 0;
}
int run(int c);
int run(int c)
{
    int v;

    if (pick(c, &v) != 0)
        return -1;
    return use(v);
}
C
printf 'int ok(int c);\nint ok(int c)\n{\n    return c + 1;\n}\n' >"$s/good.c"
db() { # db <name> <file> [extra flag]: a one-file compile_commands.json with a Debug command
    printf '[{"directory": "%s", "file": "%s/%s", "command": "cc -Wall -Wextra -Werror -g %s -c %s/%s -o %s.o"}]\n' \
        "$s" "$s" "$2" "${3:-}" "$s" "$2" "$s/$2" >"$s/$1.json"
}
fails=0
cc -Wall -Wextra -Werror -g -c "$s/bad.c" -o "$s/bad.o" || { echo "bad.c fails in Debug too"; exit 1; }
db bad bad.c
python3 "$check" "$s/bad.json" "$s/out-bad" 1 >"$s/bad.log" 2>&1
if [ $? -ne 1 ] || ! grep -q "maybe-uninitialized" "$s/bad.log"; then
    echo "FAIL: bad.c passed or failed without the warning:"; cat "$s/bad.log"; fails=1
fi
db good good.c
python3 "$check" "$s/good.json" "$s/out-good" 1 >"$s/good.log" 2>&1 ||
    { echo "FAIL: good.c failed:"; cat "$s/good.log"; fails=1; }
grep -q "^release_check: 1 files compile" "$s/good.log" ||
    { echo "FAIL: good.c not counted:"; cat "$s/good.log"; fails=1; }
db free bad.c -DPETREL_FREESTANDING=1
python3 "$check" "$s/free.json" "$s/out-free" 1 >"$s/free.log" 2>&1 &&
    grep -q "^release_check: 0 files compile" "$s/free.log" ||
    { echo "FAIL: a freestanding object was not skipped:"; cat "$s/free.log"; fails=1; }
[ $fails -eq 0 ] && echo "release_check selftest: ok"
exit $fails
