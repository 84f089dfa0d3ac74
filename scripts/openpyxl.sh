#!/usr/bin/env bash
# openpyxl.sh — make sure Python 3 with openpyxl is on the machine, installing Debian's
# python3-openpyxl when it is missing, and print the interpreter's path. The report tests read
# the workbooks gridgov writes back with it: a reader independent of the library that wrote
# them. Idempotent; waits for another apt-get holding the package lock.
set -euo pipefail

# Debian's interpreter, which sees Debian's python3-* packages (another python3 on the PATH,
# a pyenv's say, does not).
PY=/usr/bin/python3
if [[ -x $PY ]] && "$PY" -c 'import openpyxl' >/dev/null 2>&1; then
	printf '%s\n' "$PY"
	exit 0
fi
echo "openpyxl.sh: installing python3-openpyxl via apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
install() { apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends python3 python3-openpyxl >"$log" 2>&1; }
if ! install; then
	apt-get -o DPkg::Lock::Timeout=600 update >/dev/null 2>&1 || true
	install || { tail -20 "$log" >&2; echo "openpyxl.sh: could not install python3-openpyxl" >&2; exit 1; }
fi
"$PY" -c 'import openpyxl' || { echo "openpyxl.sh: openpyxl missing after installing it" >&2; exit 1; }
printf '%s\n' "$PY"
