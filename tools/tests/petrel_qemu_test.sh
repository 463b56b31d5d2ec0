#!/bin/sh
# petrel_qemu_test.sh <build dir> <source dir> argv|vm: `petrel run` starts QEMU itself
# (tools/petrel_qemu.c), with the machine scripts/qemu defines (docs/petrel.md "Starting QEMU").
#
# argv (no VM, label unit): for a table of scripts/qemu option sets (both machines, disks, a
#   NIC on user networking and on a tap, the streams with and without terminal letters, the
#   fw_cfg command line, extra QEMU arguments, the environment's defaults PETREL_MACHINE,
#   PETREL_MEM, PETREL_CPU, PETREL_ACCEL) `petrel qemu-argv` prints the very command line
#   `scripts/qemu --print-argv` prints, argument for argument; options both refuse are
#   refused by both.
# vm (label qemu): what scripts/qemu did around QEMU petrel now does itself, checked through a
#   real boot: exit codes above 127 (COM2's "exit N" line, which QEMU's 8-bit status cannot
#   carry), --timeout (exit 124 with its message, QEMU gone), the PETREL_QEMU script path
#   still booting, no QEMU on PATH (125 and a message), and no shell or other process
#   between petrel and QEMU.
NAME=petrel-qemu
. "$(dirname "$0")/petrel_lib.sh"
MODE=${3:?usage: $0 BUILD SOURCE argv|vm}
K=$B/hal_x86/petrel.elf
[ -r "$K" ] || K=$T/kernel.elf
[ -r "$K" ] || : >"$K" # argv mode needs a readable file only

# same <name> <environment: KEY=VALUE words, or -> <scripts/qemu options...>: both command
# lines, compared
same() {
    name=$1 vars=$2
    shift 2
    [ "$vars" != - ] || vars=
    # shellcheck disable=SC2086
    env $vars "$P" qemu-argv "$@" >"$T/$name.petrel" 2>"$T/$name.petrel.err"
    prc=$?
    # shellcheck disable=SC2086
    env $vars "$S/scripts/qemu" --print-argv "$@" >"$T/$name.script" 2>"$T/$name.script.err"
    src=$?
    if [ "$src" -ne 0 ] || [ "$prc" -ne 0 ]; then
        [ "$src" -ne 0 ] && [ "$prc" -ne 0 ] ||
            fail "$name: scripts/qemu exit $src, petrel exit $prc: $(cat "$T/$name.petrel.err" "$T/$name.script.err")"
        return
    fi
    cmp -s "$T/$name.petrel" "$T/$name.script" || {
        fail "$name: petrel's QEMU command line differs from scripts/qemu's:"
        diff "$T/$name.script" "$T/$name.petrel" | head -20
    }
    [ -s "$T/$name.petrel" ] || fail "$name: empty command line"
}

if [ "$MODE" = argv ]; then
    (
        unset PETREL_MACHINE PETREL_MEM PETREL_CPU PETREL_ACCEL PETREL_TIMEOUT
        same plain - -a tcg "$K"
        same microvm - -M microvm -a tcg -m 256M -t 0 -d /c/img -s 5,7,9,12, -f /dev/fd/3 "$K" -- -snapshot
        same q35 - -M q35 -a tcg -m 1G -d /a.img -d /b.img -n -s 5,7,9,12,ioe -c "x=1 y" "$K"
        same netdev - -a tcg -N user,hostfwd=tcp::8080-:80 -s 3,4,5,6,e "$K" -- -S -icount shift=0
        same tap - -M q35 -a kvm -N tap,ifname=tap0,script=no,downscript=no "$K"
        same longopts - --machine q35 --accel tcg --mem 32M --timeout 9 --disk /d \
            --netdev user --streams 10,11,12,13,o --fw-cmdline /f --append a "$K"
        same env "PETREL_MACHINE=q35 PETREL_MEM=96M PETREL_CPU=max" -a tcg -d /d "$K"
        same env_accel "PETREL_ACCEL=tcg" "$K"
        same auto - -a auto -d /d "$K" # kvm when this machine has it: both decide alike
        same kvm_cpu - -a kvm "$K"
        same kvm_cpu_env "PETREL_CPU=Haswell" -a kvm "$K"
        # refused by both
        same bad_accel - -a xen "$K"
        same bad_machine - -M pc "$K"
        same bad_streams - -s 1,2,x,4 "$K"
        same bad_fw - -f /a,b "$K"
        same bad_netdev - -N "user;rm" "$K"
        same bad_opt - --frobnicate "$K"
        same no_kernel - -a tcg
        exit "$fails"
    ) || fails=$((fails + $?))
    [ "$fails" -eq 0 ] || exit 1
    echo "petrel qemu-argv: every command line as scripts/qemu's"
    exit 0
fi

# --- vm: a real boot -------------------------------------------------------------------------
gcc -O2 -static -o "$T/exit_static" "$S/tests/runtime/progs/exit_codes.c" || exit 1
gcc -O2 -static -o "$T/spin" -x c - <<'EOF' || exit 1
#include <unistd.h>
int main(void) { for (;;) pause(); }
EOF

"$P" run -q "$T/exit_static" 200 >"$T/code.out" 2>"$T/code.err"
rc=$?
[ "$rc" -eq 200 ] || fail "exit 200: petrel exited $rc: $(cat "$T/code.err")"

PETREL_QEMU=$S/scripts/qemu "$P" run -q "$T/exit_static" 201 >"$T/script.out" 2>"$T/script.err"
rc=$?
[ "$rc" -eq 201 ] || fail "PETREL_QEMU: petrel exited $rc: $(cat "$T/script.err")"

# no QEMU on PATH: petrel says so and exits 125 (not a made-up kernel exit code)
PATH=/nonexistent "$P" run -q "$T/exit_static" 3 >/dev/null 2>"$T/noqemu.err"
rc=$?
[ "$rc" -eq 125 ] || fail "no QEMU: exit $rc, expected 125: $(cat "$T/noqemu.err")"
grep -q "cannot run qemu-system-x86_64" "$T/noqemu.err" || fail "no QEMU: $(cat "$T/noqemu.err")"

# --timeout: 124, the message, and QEMU stopped (no qemu left with this test's image)
t0=$(date +%s)
"$P" run -q --timeout 3 "$T/spin" >"$T/tmo.out" 2>"$T/tmo.err"
rc=$?
t1=$(date +%s)
[ "$rc" -eq 124 ] || fail "timeout: exit $rc, expected 124: $(cat "$T/tmo.err")"
grep -q "timed out after 3s" "$T/tmo.err" || fail "timeout: no message: $(cat "$T/tmo.err")"
[ $((t1 - t0)) -lt 60 ] || fail "timeout: took $((t1 - t0)) s"
pgrep -f "qemu-system-x86_64.*$T" >/dev/null && fail "timeout: QEMU still running"
# ... also while the program writes without a pause (the relay never idles)
"$P" run -q --timeout 3 /usr/bin/yes >/dev/null 2>"$T/tmo_yes.err"
rc=$?
[ "$rc" -eq 124 ] || fail "timeout while writing: exit $rc, expected 124: $(cat "$T/tmo_yes.err")"
"$P" run -q --timeout 1x "$T/spin" >/dev/null 2>"$T/tmo_bad.err"
rc=$?
[ "$rc" -eq 2 ] || fail "--timeout 1x: exit $rc, expected 2 (usage)"

# petrel's child is QEMU itself: strace sees one execve after petrel's own, of QEMU
if command -v strace >/dev/null 2>&1; then
    strace -f -qq -e trace=execve -o "$T/exec.log" "$P" run -q "$T/exit_static" 3 \
        >/dev/null 2>&1
    n=$(grep -c 'execve(.* = 0$' "$T/exec.log")
    grep -q 'execve("[^"]*qemu-system-x86_64"' "$T/exec.log" || fail "no execve of QEMU"
    [ "$n" -eq 2 ] || fail "$n programs started, expected 2 (petrel, QEMU): $(grep 'execve(.* = 0$' "$T/exec.log")"
fi

[ "$fails" -eq 0 ] || exit 1
echo "petrel run starts QEMU itself: exit codes, --timeout, PETREL_QEMU"
