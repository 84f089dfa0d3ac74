#!/usr/bin/env bash
# graphiql-assets.sh — vendor GraphiQL and the React it runs on into the explorer's embedded
# assets (graphiql/static/vendor/).
#
#   scripts/graphiql-assets.sh        fetch graphiql@$GRAPHIQL_VERSION, react@$REACT_VERSION and
#                                     react-dom@$REACT_VERSION from npm and copy their UMD
#                                     builds, GraphiQL's stylesheet and the licences
#
# The files are committed: builds and the running server need no network. To upgrade, change
# the versions here and in graphiql/graphiql.go (GraphiQLVersion, ReactVersion; a test checks
# that each vendored file's version comment matches), run this script, and commit the result.
# GraphiQL 3 is the last major version that ships a UMD bundle; React 18 the last with UMD.
set -euo pipefail

GRAPHIQL_VERSION=3.9.0
REACT_VERSION=18.3.1

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$REPO/graphiql/static/vendor"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

bash "$REPO/scripts/node.sh"
mkdir -p "$OUT"
# vendor PACKAGE VERSION FILE NAME: package/FILE of PACKAGE@VERSION into $OUT/NAME, behind a
# first line naming the version, which the explorer's tests compare with the Go constants.
vendor() {
	local pkg=$1 version=$2 file=$3 name=$4
	if [[ ! -d "$TMP/$pkg" ]]; then
		(cd "$TMP" && npm pack --silent "$pkg@$version" >/dev/null)
		mkdir "$TMP/$pkg"
		tar -xzf "$TMP/$pkg-$version.tgz" -C "$TMP/$pkg"
		cp "$TMP/$pkg/package/LICENSE" "$OUT/$pkg.LICENSE"
	fi
	{
		printf '/*! %s %s (npm %s@%s, vendored by scripts/graphiql-assets.sh) */\n' "$pkg" "$version" "$pkg" "$version"
		# The bundles end by naming their source map, which is not vendored.
		grep -v '^//# sourceMappingURL=\|^/\*# sourceMappingURL=' "$TMP/$pkg/package/$file"
	} >"$OUT/$name"
}
vendor react "$REACT_VERSION" umd/react.production.min.js react.production.min.js
vendor react-dom "$REACT_VERSION" umd/react-dom.production.min.js react-dom.production.min.js
vendor graphiql "$GRAPHIQL_VERSION" graphiql.min.js graphiql.min.js
vendor graphiql "$GRAPHIQL_VERSION" graphiql.min.css graphiql.min.css
echo "graphiql-assets.sh: vendored graphiql $GRAPHIQL_VERSION and react $REACT_VERSION into $(realpath --relative-to="$REPO" "$OUT")"
