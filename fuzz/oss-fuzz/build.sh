#!/bin/bash -eu
# fuzz/oss-fuzz/build.sh - build every fuzz target the way OSS-Fuzz builds a project.
#
# OSS-Fuzz runs this with its environment: $CC and $CFLAGS (compiler, sanitizer and coverage
# flags, with -fsanitize=fuzzer-no-link), $LIB_FUZZING_ENGINE (the engine to link: libFuzzer's
# -fsanitize=fuzzer, or an AFL/honggfuzz driver library), $OUT (where binaries, seed corpora
# and dictionaries go), $WORK (scratch) and $SRC (checkouts). For each fuzz/<name>/ with a
# CMakeLists.txt it leaves in $OUT:
#     fuzz_<name>                  the harness linked with $LIB_FUZZING_ENGINE
#     fuzz_<name>_seed_corpus.zip  fuzz/<name>/corpus/*
#     fuzz_<name>.dict             fuzz/<name>/<name>.dict, when there is one
# The kernel is built by the project's CMake (-DPETREL_OSSFUZZ=ON: host code takes $CFLAGS,
# fuzz targets link $LIB_FUZZING_ENGINE) in $WORK/petrel-build, incrementally.
# The source tree is $PETREL_SRC, else $SRC/petrel when it exists, else this script's tree.
# Checked by the ctest test fuzz.oss_fuzz_build (fuzz/oss-fuzz/check.sh). Jobs: $PETREL_JOBS
# (default 2: the machines this runs on in tests are shared).

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -n "${PETREL_SRC:-}" ]; then
    root="$PETREL_SRC"
elif [ -n "${SRC:-}" ] && [ -d "$SRC/petrel" ]; then
    root="$SRC/petrel"
else
    root="$here"
fi
build="$WORK/petrel-build"
jobs="${PETREL_JOBS:-2}"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER="$CC" \
    -DCMAKE_C_FLAGS="$CFLAGS" -DPETREL_OSSFUZZ=ON \
    -DPETREL_LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" >/dev/null

names=()
for d in "$root"/fuzz/*/; do
    name="$(basename "$d")"
    [ -f "$d/CMakeLists.txt" ] && [ -d "$d/corpus" ] && names+=("$name")
done
targets=()
for n in "${names[@]}"; do targets+=("fuzz_$n"); done
cmake --build "$build" -j"$jobs" --target "${targets[@]}"

mkdir -p "$OUT"
for n in "${names[@]}"; do
    bin="$(find "$build/fuzz/$n" -maxdepth 1 -type f -name "fuzz_$n" -perm -u+x | head -n 1)"
    [ -n "$bin" ] || { echo "build.sh: fuzz_$n was not built" >&2; exit 1; }
    cp "$bin" "$OUT/fuzz_$n"
    rm -f "$OUT/fuzz_${n}_seed_corpus.zip"
    (cd "$root/fuzz/$n/corpus" && zip -q -j "$OUT/fuzz_${n}_seed_corpus.zip" ./*)
    if [ -f "$root/fuzz/$n/$n.dict" ]; then
        cp "$root/fuzz/$n/$n.dict" "$OUT/fuzz_$n.dict"
    fi
done
echo "build.sh: ${#names[@]} targets in $OUT: ${names[*]}"
