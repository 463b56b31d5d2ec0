#!/usr/bin/env bash
# lwip_patches_test.sh ROOT LWIP_DIR SCRATCH: scripts/lwip-patches and scripts/bootstrap's use
# of it, on a scratch copy of part of lwIP (the shared third_party/lwip is never touched) with
# a scratch series of two small patches: a fresh tree gets the series, applying again changes
# nothing, a stale tree (series grown, a patch edited, a patch dropped) is brought to the
# series, a tree patched by hand is recognised, the build's copy (sync) follows the series, and
# the real series (net/lwip-patches) applies to lwIP 2.1.3, also when checked out or added
# with core.autocrlf=true.
set -euo pipefail
ROOT="$1" LWIP="$2" S="$3"
LP="$ROOT/scripts/lwip-patches"
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$S" && mkdir -p "$S/series"
tree() { # a scratch lwIP tree: the files the scratch patches touch
    rm -rf "$1" && mkdir -p "$1/src/include/lwip" "$1/src/core"
    cp "$LWIP/src/include/lwip/init.h" "$1/src/include/lwip/"
    cp "$LWIP/src/core/tcp.c" "$LWIP/src/core/tcp_in.c" "$LWIP/src/core/tcp_out.c" "$1/src/core/"
}
mkpatch() { # mkpatch NAME FILE TEXT: a patch appending a comment line to FILE
    local d="$S/mk"; rm -rf "$d" && mkdir -p "$d/a/src/core" "$d/b/src/core"
    cp "$LWIP/src/$2" "$d/a/src/$2" && cp "$LWIP/src/$2" "$d/b/src/$2"
    echo "/* $3 */" >>"$d/b/src/$2"
    (cd "$d" && diff -u "a/src/$2" "b/src/$2" >"$S/series/$1") && fail "diff found no change"
    true
}
export PETREL_LWIP_PATCHES="$S/series"
T="$S/lwip"
tree "$T"
mkpatch 0001-one.patch core/tcp.c "scratch patch one"
mkpatch 0002-two.patch core/tcp_in.c "scratch patch two"

"$LP" check "$T" && fail "an unpatched tree passes check"
"$LP" apply "$T"
grep -q "scratch patch one" "$T/src/core/tcp.c" || fail "0001 not applied"
grep -q "scratch patch two" "$T/src/core/tcp_in.c" || fail "0002 not applied"
"$LP" check "$T" || fail "check after apply"
sum1="$(sha256sum "$T/src/core/tcp.c" "$T/src/core/tcp_in.c")"
"$LP" apply "$T" | grep -q . && fail "applying again did something"
[ "$sum1" = "$(sha256sum "$T/src/core/tcp.c" "$T/src/core/tcp_in.c")" ] || fail "applying again changed files"

# stale: the series grew
mkpatch 0003-three.patch core/tcp_out.c "scratch patch three"
"$LP" check "$T" && fail "a stale tree passes check"
"$LP" apply "$T"
grep -q "scratch patch three" "$T/src/core/tcp_out.c" || fail "0003 not applied"
# stale: 0001 edited (everything after it is reverted and re-applied)
mkpatch 0001-one.patch core/tcp.c "scratch patch one, edited"
"$LP" apply "$T"
grep -q "scratch patch one, edited" "$T/src/core/tcp.c" || fail "edited 0001 not applied"
grep -q "scratch patch one \*/" "$T/src/core/tcp.c" && fail "old 0001 not reverted"
"$LP" check "$T" || fail "check after re-apply"
# stale: patches dropped from the series
rm "$S/series/0002-two.patch" "$S/series/0003-three.patch"
"$LP" apply "$T"
grep -q "scratch patch two" "$T/src/core/tcp_in.c" && fail "dropped 0002 still applied"
grep -q "scratch patch three" "$T/src/core/tcp_out.c" && fail "dropped 0003 still applied"
"$LP" check "$T" || fail "check after dropping"

# a tree patched by hand, without a record, is recognised
H="$S/hand"; tree "$H"
(cd "$H" && patch -p1 -s <"$S/series/0001-one.patch")
"$LP" apply "$H" | grep -q "already" || fail "hand-patched tree not recognised"
[ "$(grep -c "scratch patch one" "$H/src/core/tcp.c")" = 1 ] || fail "hand-patched tree patched twice"

# scripts/bootstrap applies the series to PETREL_LWIP_DIR (here a fresh scratch tree)
B="$S/boot"; tree "$B"
PETREL_LWIP_DIR="$B" "$ROOT/scripts/bootstrap" >/dev/null
"$LP" check "$B" || fail "bootstrap did not apply the series"

# the build's copy follows the series, and is left alone when nothing changed
C="$S/copy"
"$LP" sync "$T" "$C"
"$LP" check "$C" || fail "sync: copy not current"
touch -d '2000-01-01' "$C/src/core/tcp.c"
"$LP" sync "$T" "$C"
[ "$(stat -c %Y "$C/src/core/tcp.c")" -lt 1000000000 ] || fail "sync redid an up-to-date copy"
mkpatch 0002-two.patch core/tcp_in.c "scratch patch two again"
"$LP" sync "$T" "$C"
grep -q "scratch patch two again" "$C/src/core/tcp_in.c" || fail "sync: new patch missing"
[ "$(stat -c %Y "$C/src/core/tcp.c")" -gt 1000000000 ] || fail "sync: stale file times kept"

# the real series applies to a pristine copy of the sources it patches
unset PETREL_LWIP_PATCHES
R="$S/real"; mkdir -p "$R"
cp -r "$LWIP/src" "$R/src"
if [ -f "$LWIP/.petrel-patches/applied" ]; then cp -r "$LWIP/.petrel-patches" "$R/"; fi
"$LP" apply "$R" >/dev/null
"$LP" check "$R" || fail "the real series does not converge"

# the series keeps its CRLF lines (lwIP's files have CRLF) in a clone with core.autocrlf=true:
# .gitattributes turns conversion off both ways (without it, adding a patch stripped its CRs)
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    for p in "$ROOT"/net/lwip-patches/*.patch; do
        rel="net/lwip-patches/${p##*/}"
        grep -q $'\r$' "$p" || fail "$rel has no CRLF line (lwIP's sources do)"
        [ "$(git -C "$ROOT" -c core.autocrlf=true hash-object --path="$rel" "$p")" = \
          "$(git -C "$ROOT" hash-object --no-filters "$p")" ] ||
            fail "$rel would be converted with core.autocrlf=true (.gitattributes)"
    done
    A="$S/autocrlf"; mkdir -p "$A"
    git -C "$ROOT" -c core.autocrlf=true archive HEAD net/lwip-patches | tar -x -C "$A"
    R2="$S/real2"; mkdir -p "$R2" && cp -r "$LWIP/src" "$R2/src"
    PETREL_LWIP_PATCHES="$A/net/lwip-patches" "$LP" apply "$R2" >/dev/null ||
        fail "the committed series, checked out with core.autocrlf=true, does not apply"
fi
rm -rf "$S"
echo "lwip-patches: ok"
