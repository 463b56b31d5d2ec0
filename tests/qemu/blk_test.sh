#!/bin/sh
# blk_test.sh <name> <log dir> <qemu script> <machine> <kernel>
# Boots the selftest with a fresh zeroed 4 MiB disk (virtio-blk: virtio-mmio on microvm,
# virtio-pci on q35), expects "selftest: blk ok", then checks on the host that the pattern
# the guest wrote and flushed is in the file: byte j of sector i is (3i + j + 0x40) mod 256.
name=$1 logdir=$2 qemu=$3 machine=$4 kernel=$5
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/petrel-blk.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
truncate -s 4M "$tmp/disk.img" || exit 1
PETREL_EXPECT="selftest: blk ok
selftest: all passed" "$here/run_test.sh" "$name" "$logdir" 0 \
    "$qemu" -M "$machine" -t 60 -d "$tmp/disk.img" "$kernel" || exit 1
for sector in 0 5 127; do
    got=$(od -An -tx1 -v -j $((sector * 512 + 100)) -N 4 "$tmp/disk.img" | tr -d ' \n')
    want=""
    for j in 100 101 102 103; do
        want="$want$(printf '%02x' $(((sector * 3 + j + 64) % 256)))"
    done
    if [ "$got" != "$want" ]; then
        echo "$name: sector $sector on the host has $got, expected $want"
        exit 1
    fi
done
echo "$name: the flushed pattern is on the host file"
