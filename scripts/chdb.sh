#!/usr/bin/env bash
# chdb.sh — fetch chDB's engine (libchdb.so, a current ClickHouse in one shared library) into
# a cache outside the work tree (GRIDGOV_CHDB_DIR, default ~/.cache/gridgov/chdb, so fresh
# clones on one machine share it) and print its path, so that warehouse tests can prove the DDL and queries on a
# current ClickHouse as well as on Debian's 18.16 server.
#
#   CHDB_LIB_PATH=$(scripts/chdb.sh)     # fetch once, then just print the path
#
# The library comes from the npm package @chdb/lib-linux-x64-gnu (178 MB download, 566 MB
# unpacked), fetched with `npm pack` so that only the package registry is used. The script is
# idempotent: when the library is already unpacked it only prints the path. github.com/chdb-io/
# chdb-go loads the library at run time from CHDB_LIB_PATH (purego, no cgo at build time).
set -euo pipefail

VERSION=${GRIDGOV_CHDB_VERSION:-26.7.3-stable.1}
PKG=@chdb/lib-linux-x64-gnu
DIR="${GRIDGOV_CHDB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gridgov/chdb}"
LIB="$DIR/$VERSION/libchdb.so"

die() {
	printf 'chdb.sh: error: %s\n' "$*" >&2
	exit 1
}

if [[ -s $LIB ]]; then
	printf '%s\n' "$LIB"
	exit 0
fi

command -v npm >/dev/null || die "npm is needed to fetch $PKG (apt-get install npm)"
mkdir -p "$DIR"
# Concurrent test packages may call this at once: one fetches, the others wait.
exec 9>"$DIR/lock"
flock -w 900 9 || die "another chdb.sh holds $DIR/lock"
if [[ -s $LIB ]]; then
	printf '%s\n' "$LIB"
	exit 0
fi

work=$(mktemp -d "$DIR/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "chdb.sh: fetching $PKG@$VERSION (about 178 MB)" >&2
(cd "$work" && npm pack --silent "$PKG@$VERSION" >pack.log 2>&1) ||
	die "npm pack $PKG@$VERSION failed: $(tail -n 5 "$work/pack.log")"
tarball=$(ls "$work"/*.tgz 2>/dev/null | head -n 1)
[[ -n $tarball ]] || die "npm pack left no tarball"
tar -xzf "$tarball" -C "$work"
found=$(find "$work/package" -name 'libchdb.so' -type f | head -n 1)
[[ -n $found ]] || die "no libchdb.so in $PKG@$VERSION"
mkdir -p "$DIR/$VERSION"
# Moved into place last, so an interrupted fetch never leaves a half library behind.
mv "$found" "$LIB.tmp"
mv "$LIB.tmp" "$LIB"
echo "chdb.sh: unpacked $LIB" >&2
printf '%s\n' "$LIB"
