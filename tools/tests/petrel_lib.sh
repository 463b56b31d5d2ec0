# petrel_lib.sh - the start every tools/tests/petrel_*_test.sh shares, sourced after the
# script sets NAME (its temporary directory's prefix) and, when it has more to clean up at
# exit (a VM in the background, a second directory), CLEANUP (shell text, run first):
#
#   NAME=petrel-image
#   . "$(dirname "$0")/petrel_lib.sh"
#
# It sets B (the build directory, $1) and S (the source directory, $2, when given), P (the
# petrel command), T (a fresh temporary directory, removed at exit unless KEEP is set),
# PETREL_CACHE (an image cache of the test's own, under T), fails=0 and fail MESSAGE (prints
# it, counts one failure). Each script ends with its own verdict on $fails.
set -u
B=${1:?usage: $0 BUILD [SOURCE]}
S=${2:-}
P=$B/bin/petrel
T=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || exit 1
CLEANUP=${CLEANUP:-}
trap 'eval "$CLEANUP"; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export PETREL_CACHE="$T/cache"
fails=0

fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
