#!/usr/bin/env bash
# npm-ci.sh DIR — install DIR's npm packages, exactly as its committed package-lock.json pins
# them, into DIR/node_modules (npm ci; never globally). Node.js and npm come from
# scripts/node.sh. Skipped while DIR/node_modules holds what the lock file pins: the lock
# file of the last install is kept as node_modules/.gridgov-lock.
set -euo pipefail

dir=$1
bash "$(dirname "${BASH_SOURCE[0]}")/node.sh"
if cmp -s "$dir/package-lock.json" "$dir/node_modules/.gridgov-lock"; then
	exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
(cd "$dir" && npm ci --no-audit --no-fund >"$log" 2>&1) ||
	{ tail -30 "$log" >&2; echo "npm-ci.sh: npm ci failed in $dir" >&2; exit 1; }
cp "$dir/package-lock.json" "$dir/node_modules/.gridgov-lock"
