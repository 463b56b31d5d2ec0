#!/bin/bash
# fuzz/oss-fuzz/check.sh <scratch-dir> - the ctest check of build.sh (fuzz.oss_fuzz_build).
#
# Runs build.sh as OSS-Fuzz would, with clang and libFuzzer (ASan + UBSan flags as OSS-Fuzz's
# address build sets them), $WORK kept under the scratch directory between runs (the build is
# incremental) and a fresh $OUT. Then checks that every fuzz/<name>/ target left its binary,
# a non-empty seed corpus zip and (when the target has one) its dictionary in $OUT, and that
# each binary runs one input of its corpus (unzipped from the zip) and exits 0.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 <scratch-dir>" >&2; exit 2; }
root="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$1"
command -v clang >/dev/null || { echo "check.sh: clang is required" >&2; exit 1; }
command -v zip >/dev/null && command -v unzip >/dev/null || {
    echo "check.sh: zip and unzip are required" >&2; exit 1; }

export CC=clang
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address \
-fsanitize-address-use-after-scope -fsanitize=undefined -fsanitize=fuzzer-no-link"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
export WORK="$scratch/work" OUT="$scratch/out" SRC="$scratch/src"
export PETREL_SRC="$root"
rm -rf "$OUT"
mkdir -p "$WORK" "$OUT"

if ! bash "$root/fuzz/oss-fuzz/build.sh" >"$scratch/build.log" 2>&1; then
    tail -n 40 "$scratch/build.log"
    echo "check.sh: build.sh failed (log: $scratch/build.log)"
    exit 1
fi

fail=0
for d in "$root"/fuzz/*/; do
    n="$(basename "$d")"
    [ -f "$d/CMakeLists.txt" ] || continue
    bin="$OUT/fuzz_$n" zip="$OUT/fuzz_${n}_seed_corpus.zip"
    if [ ! -x "$bin" ]; then echo "MISSING $bin"; fail=1; continue; fi
    if [ ! -s "$zip" ]; then echo "MISSING $zip"; fail=1; continue; fi
    if [ -f "$d/$n.dict" ] && ! cmp -s "$d/$n.dict" "$OUT/fuzz_$n.dict"; then
        echo "MISSING or different $OUT/fuzz_$n.dict"; fail=1
    fi
    one="$scratch/one-$n"
    rm -rf "$one" && mkdir -p "$one"
    first="$(unzip -Z1 "$zip" | head -n 1)"
    unzip -q -o "$zip" "$first" -d "$one" || { echo "BAD ZIP $zip"; fail=1; continue; }
    if ! "$bin" -runs=1 "$one/$first" >"$one/log" 2>&1; then
        tail -n 20 "$one/log"
        echo "RUN FAILED fuzz_$n on $first"
        fail=1
        continue
    fi
    echo "ok fuzz_$n ($(unzip -Z1 "$zip" | wc -l) seeds, ran $first)"
done
exit $fail
