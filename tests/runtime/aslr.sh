#!/bin/bash
# aslr.sh <scripts/qemu> <petrel.elf> <image with ASLR> <image with noaslr:t>
#
# Boots each image twice (progs/aslr.c prints stack=, brk=, mmap=, text=, vdso= addresses). With
# ASLR the two boots must put the stack, the heap and the mmap area at different addresses;
# with noaslr:t both boots must print exactly the same lines. Both runs must exit 0.
set -u
qemu=$1 kernel=$2 aslr=$3 noaslr=$4

boot() { # image -> the program's address lines
    PETREL_TIMEOUT=${PETREL_TIMEOUT:-20} "$qemu" -d "$1" "$kernel" </dev/null 2>/dev/null |
        tr -d '\r' | grep -E '^(stack|brk|mmap|text|vdso)=0x'
    return "${PIPESTATUS[0]}"
}

fail=0
a1=$(boot "$aslr") || { echo "aslr boot 1 failed"; fail=1; }
a2=$(boot "$aslr") || { echo "aslr boot 2 failed"; fail=1; }
n1=$(boot "$noaslr") || { echo "noaslr boot 1 failed"; fail=1; }
n2=$(boot "$noaslr") || { echo "noaslr boot 2 failed"; fail=1; }
printf 'ASLR boots:\n%s\n--\n%s\nnoaslr boots:\n%s\n--\n%s\n' "$a1" "$a2" "$n1" "$n2"
for k in stack brk mmap vdso; do
    x=$(grep "^$k=" <<<"$a1") y=$(grep "^$k=" <<<"$a2")
    if [ -z "$x" ] || [ "$x" = "$y" ]; then
        echo "with ASLR, $k is the same in two boots: $x"
        fail=1
    fi
done
if [ -z "$n1" ] || [ "$n1" != "$n2" ]; then
    echo "with noaslr:t the two boots differ"
    fail=1
fi
[ "$fail" -eq 0 ] && echo "aslr: ok"
exit "$fail"
