#!/usr/bin/env bash
# tools.sh — install the tools the tests drive for real: Debian's Prometheus server and
# promtool (metrics exposition checks, scrape tests), Chromium (the dashboard page, headless)
# with a CJK font so the page's Chinese renders in screenshots. Idempotent.
set -euo pipefail

need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v chromium >/dev/null || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk' || need+=(fonts-wqy-microhei)
if ((${#need[@]} == 0)); then
	exit 0
fi
echo "tools: installing ${need[*]} via apt-get"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! apt-get install -y --no-install-recommends "${need[@]}" >"$log" 2>&1; then
	apt-get update >/dev/null 2>&1 || true
	apt-get install -y --no-install-recommends "${need[@]}" >"$log" 2>&1 ||
		{ tail -20 "$log" >&2; echo "tools: could not install ${need[*]}" >&2; exit 1; }
fi
command -v promtool >/dev/null || { echo "tools: promtool missing after installing prometheus" >&2; exit 1; }
echo "tools: $(promtool --version 2>&1 | head -1)"
