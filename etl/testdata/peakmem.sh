#!/usr/bin/env bash
# peakmem.sh PGDB CHDB [etl run flags...] — the peak memory of a full load by the ETL command.
#
# Empties the checkpoints of Postgres database PGDB and the ClickHouse database CHDB, creates
# the warehouse there, then runs `gridgov etl run --once` (a full load of every table, or of
# --table T) under GNU time and prints the summary's total line and the process's peak RSS
# (time's maximum resident set size: the kernel's VmHWM of that process). Uses bin/gridgov
# (go build -o bin/gridgov ./cmd/gridgov) unless GRIDGOV_BIN names another binary.
#
#   etl/testdata/peakmem.sh gridgov_etlbench1 gridgov_etlmem
#   etl/testdata/peakmem.sh gridgov_etlbench gridgov_etlmem --batch 10000
#   etl/testdata/peakmem.sh gridgov_etlbench gridgov_etlmem --table dim_person
set -euo pipefail
pgdb=$1 chdb=$2
shift 2
bin=${GRIDGOV_BIN:-bin/gridgov}
export GRIDGOV_MODE=${GRIDGOV_MODE:-development} GRIDGOV_CH_DATABASE=$chdb
export GRIDGOV_PG_URL="postgres://postgres@127.0.0.1:5432/$pgdb?sslmode=disable"
psql "$GRIDGOV_PG_URL" -Xqc "DELETE FROM etl_checkpoints"
clickhouse-client -q "DROP DATABASE IF EXISTS $chdb"
"$bin" warehouse migrate >/dev/null
err=$(mktemp)
trap 'rm -f "$err"' EXIT
/usr/bin/time -f "peak_rss_kb=%M wall_s=%e user_s=%U sys_s=%S" "$bin" etl run --once "$@" 2>"$err" | grep -E '^ *total' || true
grep -E '^peak_rss_kb' "$err"
