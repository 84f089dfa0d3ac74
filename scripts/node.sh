#!/usr/bin/env bash
# node.sh — make sure Node.js and npm are on the machine, installing Debian's packages
# (nodejs, npm) when they are missing. The npm packages the project uses are installed
# project-locally by the scripts that need them, never globally. Idempotent.
set -euo pipefail

if command -v node >/dev/null && command -v npm >/dev/null; then
	exit 0
fi
echo "node.sh: installing nodejs and npm via apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! apt-get install -y --no-install-recommends nodejs npm >"$log" 2>&1; then
	apt-get update >/dev/null 2>&1 || true
	apt-get install -y --no-install-recommends nodejs npm >"$log" 2>&1 ||
		{ tail -20 "$log" >&2; echo "node.sh: could not install nodejs and npm" >&2; exit 1; }
fi
command -v npm >/dev/null || { echo "node.sh: npm missing after installing it" >&2; exit 1; }
