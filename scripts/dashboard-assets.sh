#!/usr/bin/env bash
# dashboard-assets.sh — vendor Apache ECharts into the dashboard's embedded assets.
#
#   scripts/dashboard-assets.sh        fetch echarts@$ECHARTS_VERSION from npm and copy
#                                      package/dist/echarts.min.js into
#                                      dashboard/static/vendor/echarts.min.js
#
# The file is committed: builds and the running server need no network. To upgrade, change
# ECHARTS_VERSION here and in dashboard/dashboard.go (EChartsVersion; a test checks that the
# vendored file's version comment matches), run this script, and commit the result.
set -euo pipefail

ECHARTS_VERSION=6.1.0

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$REPO/dashboard/static/vendor"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

command -v npm >/dev/null || { echo "dashboard-assets.sh: npm is needed" >&2; exit 1; }
(cd "$TMP" && npm pack --silent "echarts@$ECHARTS_VERSION" >/dev/null)
tar -xzf "$TMP/echarts-$ECHARTS_VERSION.tgz" -C "$TMP"
mkdir -p "$OUT"
# A first line naming the version, which the dashboard's tests compare with EChartsVersion.
{
	printf '/*! echarts %s (npm echarts@%s, vendored by scripts/dashboard-assets.sh) */\n' "$ECHARTS_VERSION" "$ECHARTS_VERSION"
	cat "$TMP/package/dist/echarts.min.js"
} >"$OUT/echarts.min.js"
cp "$TMP/package/LICENSE" "$OUT/echarts.LICENSE"
echo "dashboard-assets.sh: vendored echarts $ECHARTS_VERSION into $(realpath --relative-to="$REPO" "$OUT")"
