#!/usr/bin/env bash
# services.sh — make Postgres and ClickHouse answer on loopback for gridgov.
#
#   scripts/services.sh [up]   find or start the services, create the gridgov databases
#   scripts/services.sh status say whether each service answers, and where
#   scripts/services.sh down [postgres|clickhouse|s3]   stop only what this script started
#   scripts/services.sh env    print export lines: eval "$(scripts/services.sh env)"
#                              (GRIDGOV_PG_URL, GRIDGOV_CH_ADDR, GRIDGOV_CH_STATISTICIAN_PASSWORD,
#                              GRIDGOV_TEST_S3_URL and its keys)
#
# The S3-compatible store the evidence tests use is SeaweedFS's S3 gateway (weed server -s3),
# built once from the Go module proxy into .local/bin/weed and started on loopback
# (GRIDGOV_S3_PORT, default 8333) with a key pair generated into .local/seaweedfs/.
#
# For each service `up` takes the first that works:
#   a) the server named by GRIDGOV_PG_URL / GRIDGOV_CH_ADDR, or one already answering on
#      the default loopback port (GRIDGOV_PG_PORT, default 5432; GRIDGOV_CH_PORT, 9000);
#   b) `docker compose up -d <service>` when a Docker engine answers;
#   c) Debian packages (installed with apt-get when missing), started as a project-local
#      server whose data lives under .local/ (gitignored) and which listens on 127.0.0.1.
# Servers started by c) are recorded in .local/run/*.pid; `down` stops only those.
#
# The read-only ClickHouse user "statistician" of a server this script starts (b or c) has
# a random password, generated once into .local/clickhouse/statistician.password, and may
# connect only from the networks of GRIDGOV_CH_STATISTICIAN_NETWORKS (space-separated
# addresses or CIDR networks; default loopback). For a project-local server both are written
# into its users.d/ at every `up`, which ClickHouse reloads without a restart.
#
# Tests need real services (no mocks, no skips), and CI runs on fresh machines, so this
# script is the one place that knows how to get them.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
LOCAL="${GRIDGOV_LOCAL_DIR:-$REPO/.local}" # GRIDGOV_LOCAL_DIR: a second, private set of services (reliability tests)
RUN="$LOCAL/run"               # pid files, lock, the state `env` prints
STATE="$RUN/services.env"
PG_DIR="$LOCAL/postgres"       # project-local Postgres data directory
CH_DIR="$LOCAL/clickhouse"     # project-local ClickHouse config, data and logs
CH_TEMPLATES="$REPO/deploy/clickhouse"
CH_STAT_PASSWORD_FILE="$CH_DIR/statistician.password"
CH_STAT_NETWORKS=${GRIDGOV_CH_STATISTICIAN_NETWORKS:-127.0.0.1 ::1}

PG_PORT=${GRIDGOV_PG_PORT:-5432}
CH_PORT=${GRIDGOV_CH_PORT:-9000}
CH_HTTP_PORT=${GRIDGOV_CH_HTTP_PORT:-8123}
DB=gridgov                     # database name in both services (see docker-compose.yml)
TIMEOUT=${GRIDGOV_SERVICES_TIMEOUT:-60}
PG_MIN_VERSION=150000          # the ETL relies on pg_current_snapshot() & co.
S3_PORT=${GRIDGOV_S3_PORT:-8333}
S3_DIR="$LOCAL/seaweedfs"      # SeaweedFS's data, key pair and logs
WEED="$LOCAL/bin/weed"
WEED_MODULE=github.com/seaweedfs/seaweedfs@v0.0.0-20261109003541-7506e5f91cd6

# Results of `up`, written to $STATE.
PG_URL=""
CH_ADDR=""
CH_STAT_PASSWORD="" # the statistician's password, when this script knows it
S3_URL=""

# ---------------------------------------------------------------- helpers

say() { printf '%s\n' "$*"; }

die() {
	printf 'services.sh: error: %s\n' "$*" >&2
	exit 1
}

# die_with_log SERVICE MESSAGE LOGFILE... — fail, showing the end of the service's logs,
# because "did not start" alone never tells why.
die_with_log() {
	local service=$1 msg=$2 f
	shift 2
	{
		printf 'services.sh: error: %s: %s\n' "$service" "$msg"
		for f in "$@"; do
			[[ -s $f ]] || continue
			printf -- '--- last lines of %s\n' "$f"
			tail -n 25 "$f"
		done
	} >&2
	exit 1
}

# wait_for SECONDS COMMAND... — poll until COMMAND succeeds; non-zero on timeout.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || return 1
		sleep 0.5
	done
}

# Single-quote a value for the export lines (URLs contain '?' and '&').
shquote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

rel() { printf '%s' "${1#"$REPO"/}"; }

port_open() { # HOST PORT
	# shellcheck disable=SC2016 # $1/$2 expand in the inner shell
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# pid_alive PIDFILE WORD — the recorded process still runs and is what the pid file says it is
# (guards against a recycled pid after a reboot).
pid_alive() {
	local pid
	[[ -s $1 ]] || return 1
	pid=$(<"$1")
	[[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

as_root() {
	if ((EUID == 0)); then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo -n "$@"
	else
		die "need root (or sudo) to run: $*"
	fi
}

# apt_install SERVICE PACKAGE... — install Debian packages; refresh the package lists
# only when the first attempt fails (an update costs time and is usually not needed).
apt_install() {
	local service=$1 log="$LOCAL/apt.log" t0=$SECONDS
	shift
	mkdir -p "$LOCAL"
	command -v apt-get >/dev/null || die "$service: not installed, and there is no apt-get to install $*"
	say "$service: installing $* via apt-get"
	export DEBIAN_FRONTEND=noninteractive
	if ! as_root apt-get install -y -q --no-install-recommends "$@" >"$log" 2>&1; then
		say "$service: apt-get install failed; running apt-get update and retrying"
		as_root apt-get update -q >>"$log" 2>&1 || die_with_log "$service" "apt-get update failed" "$log"
		as_root apt-get install -y -q --no-install-recommends "$@" >>"$log" 2>&1 ||
			die_with_log "$service" "apt-get install $* failed" "$log"
	fi
	say "$service: installed $* in $((SECONDS - t0)) s"
}

# run_as USER COMMAND... — run as a system user without forking a wrapper process, so
# that `cmd &` yields the server's own pid.
run_as() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

# make_reachable USER DIR — the service user must be able to traverse every parent of
# its data directory (a checkout under /root, say, is not).
make_reachable() {
	local user=$1 d=$2
	while [[ $d != / && -n $d ]]; do
		if ! run_as "$user" test -x "$d" 2>/dev/null; then
			chmod o+x "$d"
			say "${user}: made $d traversable (chmod o+x) so the $user user reaches its data"
		fi
		d=$(dirname "$d")
	done
}

# A Docker engine answers and the compose plugin exists (the client alone is not enough).
docker_ok() {
	command -v docker >/dev/null && [[ -f $REPO/docker-compose.yml ]] &&
		timeout 15 docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1
}

compose() {
	docker compose -f "$REPO/docker-compose.yml" "$@"
}

# ---------------------------------------------------------------- Postgres

pg_default_url() { printf 'postgres://postgres@127.0.0.1:%s/%s?sslmode=disable' "$PG_PORT" "$DB"; }

# pg_url_db URL DB — the same server, another database (to reach it before gridgov exists).
pg_url_db() {
	sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\\1/$2#" <<<"$1"
}

pg_url_dbname() {
	local db
	db=$(sed -E 's#^postgres(ql)?://[^/?]*/?([^?]*).*#\2#' <<<"$1")
	printf '%s' "${db:-postgres}"
}

# host:port for messages; never prints a password.
pg_where() {
	local hp
	hp=$(sed -E 's#^postgres(ql)?://([^@/?]*@)?([^/?]*).*#\3#' <<<"$1")
	printf '%s' "${hp:-localhost:5432}"
}

pg_redact() { sed -E 's#(://[^:@/]*):[^@/]*@#\1:***@#' <<<"$1"; }

pg_psql() { # URL SQL
	PGCONNECT_TIMEOUT=5 psql "$1" -X -A -t -q -v ON_ERROR_STOP=1 -c "$2"
}

pg_answers() { # URL
	[[ $(pg_psql "$(pg_url_db "$1" postgres)" 'select 1' 2>/dev/null) == 1 ]]
}

pg_need_client() {
	command -v psql >/dev/null || apt_install postgres postgresql-client
}

# pg_use URL — adopt a server that answers: check its version, create the database.
pg_use() {
	local url=$1 note=${2:-} maint version db
	maint=$(pg_url_db "$url" postgres)
	version=$(pg_psql "$maint" 'show server_version_num') || die "postgres: cannot query $(pg_where "$url")"
	((version >= PG_MIN_VERSION)) ||
		die "postgres: server at $(pg_where "$url") is version $version; gridgov needs 15 or newer"
	[[ -n $note ]] || say "postgres: using running server at $(pg_where "$url")$(pg_owned_note)"
	db=$(pg_url_dbname "$url")
	if [[ -z $(pg_psql "$maint" "select 1 from pg_database where datname = '$db'") ]]; then
		# Another up (or a test) may create it concurrently: re-check instead of failing.
		pg_psql "$maint" "create database \"$db\"" >/dev/null 2>&1 ||
			[[ -n $(pg_psql "$maint" "select 1 from pg_database where datname = '$db'") ]] ||
			die "postgres: cannot create database $db at $(pg_where "$url")"
		say "postgres: created database $db"
	fi
	PG_URL=$url
}

pg_owned_note() {
	if pid_alive "$RUN/postgres.pid" postgres; then
		printf ' (project-local, pid %s, data in %s)' "$(<"$RUN/postgres.pid")" "$(rel "$PG_DIR")"
	elif [[ -e $RUN/postgres.docker ]]; then
		printf ' (docker compose)'
	fi
}

# The newest installed server binaries, if at least version 15.
pg_bindir() {
	local d
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	[[ -n $d && -x $d/initdb ]] || return 1
	local major=${d#/usr/lib/postgresql/}
	major=${major%%/*}
	((major * 10000 >= PG_MIN_VERSION)) || return 1
	printf '%s' "$d"
}

pg_start_local() {
	local bin pid url
	((EUID == 0)) || die "postgres: starting a project-local server needs root (it runs as the postgres user); start Postgres yourself and set GRIDGOV_PG_URL"
	url=$(pg_default_url)
	if ! bin=$(pg_bindir); then
		apt_install postgres postgresql
		# The package may have started its own cluster on the default port: use it.
		if pg_answers "$url"; then pg_use "$url"; return; fi
		bin=$(pg_bindir) || die "postgres: no server binaries of version 15+ under /usr/lib/postgresql"
	fi
	getent passwd postgres >/dev/null || die "postgres: the postgres system user is missing (it comes with the postgresql package)"

	if run_as postgres "$bin/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
		die "postgres: the project-local server in $(rel "$PG_DIR") runs but does not answer on 127.0.0.1:$PG_PORT (started with another GRIDGOV_PG_PORT?); run 'scripts/services.sh down' first"
	fi
	if port_open 127.0.0.1 "$PG_PORT"; then
		die "postgres: 127.0.0.1:$PG_PORT is taken by something that does not answer as Postgres; set GRIDGOV_PG_PORT"
	fi

	mkdir -p "$LOCAL"
	chmod 755 "$LOCAL"
	make_reachable postgres "$LOCAL"
	if [[ ! -s $PG_DIR/PG_VERSION ]]; then
		rm -rf "$PG_DIR"
		install -d -m 700 -o postgres -g postgres "$PG_DIR"
		# Trust auth is fine: the server listens on 127.0.0.1 only and holds test data.
		(cd "$PG_DIR" && run_as postgres "$bin/initdb" -D "$PG_DIR" -U postgres \
			--auth-local=trust --auth-host=trust --encoding=UTF8 --locale=C.UTF-8) \
			>"$LOCAL/postgres-initdb.log" 2>&1 ||
			die_with_log postgres "initdb failed" "$LOCAL/postgres-initdb.log"
		say "postgres: initdb $(rel "$PG_DIR") (trust auth, user postgres, $("$bin/postgres" --version | awk '{print $3}'))"
	fi

	# Port and addresses on the command line, not in postgresql.conf, so the same data
	# directory can serve on another GRIDGOV_PG_PORT. No unix socket: its directory would
	# be shared with any system cluster, and every client here uses TCP.
	if ! (cd "$PG_DIR" && run_as postgres "$bin/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" \
		-w -t "$TIMEOUT" \
		-o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=''" \
		start) >/dev/null 2>&1 9>&-; then
		die_with_log postgres "server did not start on 127.0.0.1:$PG_PORT" "$PG_DIR/server.log"
	fi
	pid=$(head -n 1 "$PG_DIR/postmaster.pid")
	mkdir -p "$RUN"
	printf '%s\n' "$pid" >"$RUN/postgres.pid"
	wait_for "$TIMEOUT" pg_answers "$url" ||
		die_with_log postgres "started (pid $pid) but does not answer 'select 1' within ${TIMEOUT}s" "$PG_DIR/server.log"
	say "postgres: started (pid $pid), data in $(rel "$PG_DIR"), listening on 127.0.0.1:$PG_PORT"
	pg_use "$url" started
}

pg_up() {
	local url
	pg_need_client
	url=$(pg_default_url)
	if [[ -n ${GRIDGOV_PG_URL:-} && $GRIDGOV_PG_URL != "$url" ]]; then
		if pg_answers "$GRIDGOV_PG_URL"; then pg_use "$GRIDGOV_PG_URL"; return; fi
		say "postgres: GRIDGOV_PG_URL ($(pg_redact "$GRIDGOV_PG_URL")) does not answer; looking elsewhere"
	fi
	if pg_answers "$url"; then pg_use "$url"; return; fi
	# Something listens but refuses us (password auth, say): starting another server
	# on that port cannot work, so say why instead.
	if pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 3 2>/dev/null; then
		die "postgres: the server on 127.0.0.1:$PG_PORT refuses $url: $(pg_psql "$(pg_url_db "$url" postgres)" 'select 1' 2>&1 | head -n 1); set GRIDGOV_PG_URL (or GRIDGOV_PG_PORT for a project-local server)"
	fi

	if docker_ok; then
		say "postgres: starting via docker compose"
		compose up -d postgres >/dev/null 9>&- || die "postgres: docker compose up -d postgres failed"
		mkdir -p "$RUN" && : >"$RUN/postgres.docker"
		wait_for "$TIMEOUT" pg_answers "$url" ||
			die "postgres: the docker compose service does not answer on 127.0.0.1:$PG_PORT within ${TIMEOUT}s (docker compose logs postgres)"
		say "postgres: started (docker compose), listening on 127.0.0.1:$PG_PORT"
		pg_use "$url" started
		return
	fi
	pg_start_local
}

# pg_postgis — the spatial extension the geometry columns need (PostGIS). A Debian server
# on this machine gets the package of its major version (postgresql-15-postgis-3 for 15);
# any other server must have it already.
pg_postgis() {
	local maint major
	maint=$(pg_url_db "$PG_URL" postgres)
	[[ -z $(pg_psql "$maint" "select 1 from pg_available_extensions where name = 'postgis'") ]] || return 0
	major=$(( $(pg_psql "$maint" 'show server_version_num') / 10000 ))
	case $(pg_where "$PG_URL") in
	127.0.0.1:* | localhost:* | "[::1]":*) ;;
	*) die "postgres: the server at $(pg_where "$PG_URL") has no PostGIS extension; install PostGIS there" ;;
	esac
	[[ -d /usr/lib/postgresql/$major ]] ||
		die "postgres: the server on loopback has no PostGIS and is not a Debian PostgreSQL $major; install PostGIS for it"
	apt_install postgres "postgresql-$major-postgis-3"
	[[ -n $(pg_psql "$maint" "select 1 from pg_available_extensions where name = 'postgis'") ]] ||
		die "postgres: postgresql-$major-postgis-3 installed, but the server does not offer the postgis extension"
}

pg_down() {
	local bin pid
	if pid_alive "$RUN/postgres.pid" postgres; then
		pid=$(<"$RUN/postgres.pid")
		bin=$(pg_bindir) || die "postgres: cannot find pg_ctl to stop pid $pid"
		(cd "$PG_DIR" && run_as postgres "$bin/pg_ctl" -D "$PG_DIR" -m fast -w -t "$TIMEOUT" stop) >/dev/null ||
			die_with_log postgres "pg_ctl stop failed (pid $pid)" "$PG_DIR/server.log"
		say "postgres: stopped project-local server (pid $pid); data kept in $(rel "$PG_DIR")"
	elif [[ -e $RUN/postgres.docker ]]; then
		compose stop postgres >/dev/null && say "postgres: stopped docker compose service"
	else
		say "postgres: nothing started by this script is running; leaving any other server alone"
	fi
	rm -f "$RUN/postgres.pid" "$RUN/postgres.docker"
}

# ---------------------------------------------------------------- ClickHouse

CH_CLIENT=()

ch_find_client() {
	if command -v clickhouse-client >/dev/null; then
		CH_CLIENT=(clickhouse-client)
	elif command -v clickhouse >/dev/null; then
		CH_CLIENT=(clickhouse client) # newer packages ship one multi-call binary
	else
		CH_CLIENT=()
		return 1
	fi
}

# The server binary: Debian's 18.16 installs /usr/sbin/clickhouse-server; newer
# packages install /usr/bin/clickhouse (with a clickhouse-server symlink).
ch_server_cmd() {
	local p
	for p in "$(command -v clickhouse-server || true)" /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
		[[ -n $p && -x $p ]] && { printf '%s\n' "$p"; return; }
	done
	p=$(command -v clickhouse || true)
	[[ -n $p ]] && { printf '%s\nserver\n' "$p"; return; }
	return 1
}

# ch_query HOST PORT SQL — over the native protocol with clickhouse-client; without a
# client, over HTTP, but only for the loopback server whose HTTP port is known (a Docker
# setup needs no client on the host).
ch_query() {
	local host=$1 port=$2 sql=$3
	if ((${#CH_CLIENT[@]})) || ch_find_client; then
		timeout 20 "${CH_CLIENT[@]}" --host "$host" --port "$port" -q "$sql"
	elif [[ $host == 127.0.0.1 && $port == "$CH_PORT" ]]; then
		curl -sS --fail --max-time 20 "http://127.0.0.1:$CH_HTTP_PORT/" --data-binary "$sql"
	else
		echo "clickhouse: no clickhouse-client to reach $host:$port" >&2
		return 1
	fi
}

ch_answers() { # HOST PORT
	# Probe the port first only without a client: an empty connection makes the server
	# log a warning, and the client fails fast on a closed port anyway.
	if ((${#CH_CLIENT[@]} == 0)) && ! ch_find_client; then
		port_open "$1" "$2" || return 1
	fi
	[[ $(ch_query "$1" "$2" 'SELECT 1' 2>/dev/null) == 1 ]]
}

ch_owned_note() {
	if pid_alive "$RUN/clickhouse.pid" clickhouse; then
		printf ' (project-local, pid %s, data in %s)' "$(<"$RUN/clickhouse.pid")" "$(rel "$CH_DIR")"
	elif [[ -e $RUN/clickhouse.docker ]]; then
		printf ' (docker compose)'
	fi
}

# ch_use HOST PORT [started] — adopt a server that answers and create the database.
ch_use() {
	local host=$1 port=$2 note=${3:-}
	[[ -n $note ]] || say "clickhouse: using running server at $host:$port$(ch_owned_note)"
	if [[ $(ch_query "$host" "$port" "SELECT count() FROM system.databases WHERE name = '$DB'") != 1 ]]; then
		ch_query "$host" "$port" "CREATE DATABASE IF NOT EXISTS $DB" >/dev/null ||
			die "clickhouse: cannot create database $DB at $host:$port"
		say "clickhouse: created database $DB"
	fi
	CH_ADDR="$host:$port"
	ch_statistician "$host" "$port"
}

# ch_statistician HOST PORT — learn the statistician's password for `env`: on a project-local
# server, (re)write its password and networks and wait until ClickHouse has reloaded them; on
# the docker compose service, the password compose was given; elsewhere, the caller's
# GRIDGOV_CH_STATISTICIAN_PASSWORD, if any.
ch_statistician() {
	local host=$1 port=$2
	if pid_alive "$RUN/clickhouse.pid" clickhouse && ((EUID != 0)); then
		# Only root writes the server's files (and reads the password file).
		if [[ -r $CH_STAT_PASSWORD_FILE ]]; then CH_STAT_PASSWORD=$(<"$CH_STAT_PASSWORD_FILE"); fi
	elif pid_alive "$RUN/clickhouse.pid" clickhouse; then
		ch_render_users
		CH_STAT_PASSWORD=$(ch_statistician_password)
		# The check connects from 127.0.0.1: only meaningful when that is an allowed network.
		if [[ " $CH_STAT_NETWORKS " =~ [[:space:]](127\.[0-9./]*|0\.0\.0\.0/0|::/0)[[:space:]] ]]; then
			wait_for 30 ch_statistician_answers "$host" "$port" ||
				die_with_log clickhouse "the statistician cannot log in with $(rel "$CH_STAT_PASSWORD_FILE") (users.d/statistician.xml not reloaded?)" \
					"$CH_DIR/log/clickhouse-server.err.log"
		fi
	elif [[ -e $RUN/clickhouse.docker ]]; then
		CH_STAT_PASSWORD=$(ch_statistician_password)
	else
		CH_STAT_PASSWORD=${GRIDGOV_CH_STATISTICIAN_PASSWORD:-}
		[[ -n $CH_STAT_PASSWORD ]] ||
			say "clickhouse: the statistician's password of $host:$port is not known here; set GRIDGOV_CH_STATISTICIAN_PASSWORD for the analytics tests"
	fi
}

# ch_statistician_password — print the statistician's password, generated on first use: 32
# hex digits from /dev/urandom, readable by root only.
ch_statistician_password() {
	if [[ ! -s $CH_STAT_PASSWORD_FILE ]]; then
		mkdir -p "$CH_DIR"
		(umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$CH_STAT_PASSWORD_FILE.tmp")
		mv "$CH_STAT_PASSWORD_FILE.tmp" "$CH_STAT_PASSWORD_FILE"
	fi
	cat "$CH_STAT_PASSWORD_FILE"
}

# ch_render_users — the users of the project-local server: users.xml as it is, and
# users.d/statistician.xml with the statistician's password hash and networks.
ch_render_users() {
	local hash net nets=""
	ch_statistician_password >/dev/null
	hash=$(sha256sum "$CH_STAT_PASSWORD_FILE" | cut -d' ' -f1)
	for net in $CH_STAT_NETWORKS; do
		[[ $net =~ ^[0-9A-Fa-f:./]+$ ]] ||
			die "clickhouse: GRIDGOV_CH_STATISTICIAN_NETWORKS: '$net' is not an IP address or network"
		nets+="                <ip>$net</ip>\\n"
	done
	[[ -n $nets ]] || die "clickhouse: GRIDGOV_CH_STATISTICIAN_NETWORKS names no network"
	mkdir -p "$CH_DIR/users.d"
	ch_render "$CH_TEMPLATES/users.xml" "$CH_DIR/users.xml"
	ch_render "$CH_TEMPLATES/statistician.xml.tmpl" "$CH_DIR/users.d/statistician.xml" \
		-e "s|@CH_STATISTICIAN_PASSWORD_SHA256@|$hash|g" -e "s|@CH_STATISTICIAN_NETWORKS@|${nets%\\n}|g"
	chown -R clickhouse:clickhouse "$CH_DIR/users.xml" "$CH_DIR/users.d"
}

# ch_statistician_answers HOST PORT — the statistician logs in with its password (given in a
# private client config file, not on the command line).
ch_statistician_answers() {
	local cfg ok=1
	((${#CH_CLIENT[@]})) || ch_find_client || return 0 # no client: nothing to check with
	cfg=$(umask 077 && mktemp)
	printf '<config><user>statistician</user><password>%s</password></config>\n' "$(ch_statistician_password)" >"$cfg"
	[[ $(timeout 20 "${CH_CLIENT[@]}" --config-file "$cfg" --host "$1" --port "$2" -q 'SELECT 1' 2>/dev/null) == 1 ]] || ok=0
	rm -f "$cfg"
	((ok))
}

# ch_render TEMPLATE OUT [SED-ARGS...] — substitute @NAME@ placeholders (more with
# SED-ARGS). Values are paths, ports, hex digits and addresses; none contains '|'.
ch_render() {
	local in=$1 out=$2
	shift 2
	sed "$@" -e "s|@CH_DIR@|$CH_DIR|g" \
		-e "s|@CH_LISTEN_HOST@|127.0.0.1|g" \
		-e "s|@CH_TCP_PORT@|$CH_PORT|g" \
		-e "s|@CH_HTTP_PORT@|$CH_HTTP_PORT|g" \
		"$in" >"$out.tmp"
	if grep -q '@[A-Z_0-9]*@' "$out.tmp"; then
		die "clickhouse: unknown placeholder in $in: $(grep -o '@[A-Z_0-9]*@' "$out.tmp" | sort -u | tr '\n' ' ')"
	fi
	mv "$out.tmp" "$out"
}

ch_start_local() {
	local server pid d
	((EUID == 0)) || die "clickhouse: starting a project-local server needs root (it runs as the clickhouse user); start ClickHouse yourself and set GRIDGOV_CH_ADDR"
	mapfile -t server < <(ch_server_cmd || true)
	if ((${#server[@]} == 0)); then
		apt_install clickhouse clickhouse-server clickhouse-client
		# A package that starts its own server (no policy-rc.d) is fine too.
		if ch_answers 127.0.0.1 "$CH_PORT"; then ch_use 127.0.0.1 "$CH_PORT"; return; fi
		mapfile -t server < <(ch_server_cmd || true)
		((${#server[@]})) || die "clickhouse: no clickhouse-server binary after install"
	fi
	ch_find_client || apt_install clickhouse clickhouse-client
	ch_find_client || die "clickhouse: clickhouse-client missing"
	getent passwd clickhouse >/dev/null || die "clickhouse: the clickhouse system user is missing (it comes with clickhouse-server)"

	if pid_alive "$RUN/clickhouse.pid" clickhouse; then
		die "clickhouse: the project-local server (pid $(<"$RUN/clickhouse.pid")) runs but does not answer on 127.0.0.1:$CH_PORT (started with another GRIDGOV_CH_PORT?); run 'scripts/services.sh down' first"
	fi
	if port_open 127.0.0.1 "$CH_PORT"; then
		die "clickhouse: 127.0.0.1:$CH_PORT is taken by something that does not answer as ClickHouse; set GRIDGOV_CH_PORT"
	fi

	mkdir -p "$LOCAL"
	chmod 755 "$LOCAL"
	for d in data tmp user_files format_schemas log; do mkdir -p "$CH_DIR/$d"; done
	# Re-rendered at every start, so template edits take effect on the next `up`.
	ch_render "$CH_TEMPLATES/config.xml.tmpl" "$CH_DIR/config.xml"
	ch_render_users
	# A fresh error log per start, so a failure shows this start's errors only.
	[[ ! -e $CH_DIR/log/clickhouse-server.err.log ]] ||
		mv -f "$CH_DIR/log/clickhouse-server.err.log" "$CH_DIR/log/clickhouse-server.err.log.prev"
	chown -R clickhouse:clickhouse "$CH_DIR"
	chown root:root "$CH_STAT_PASSWORD_FILE" # the server needs only the hash
	make_reachable clickhouse "$CH_DIR"

	# In the background under setsid (its own session, so it outlives this shell and the
	# terminal); `--daemon` left no running server when tried. HOME points at the data
	# so nothing tries to write into root's home.
	(cd "$CH_DIR" && exec setsid env HOME="$CH_DIR" setpriv --reuid=clickhouse --regid=clickhouse \
		--init-groups -- "${server[@]}" --config-file="$CH_DIR/config.xml") \
		>"$CH_DIR/log/stdout.log" 2>&1 </dev/null 9>&- &
	pid=$!
	mkdir -p "$RUN"
	printf '%s\n' "$pid" >"$RUN/clickhouse.pid"

	if ! wait_for "$TIMEOUT" ch_ready_or_dead "$pid"; then
		die_with_log clickhouse "started (pid $pid) but does not answer 'SELECT 1' on 127.0.0.1:$CH_PORT within ${TIMEOUT}s" \
			"$CH_DIR/log/clickhouse-server.err.log" "$CH_DIR/log/stdout.log"
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		rm -f "$RUN/clickhouse.pid"
		die_with_log clickhouse "server exited during start-up" \
			"$CH_DIR/log/clickhouse-server.err.log" "$CH_DIR/log/stdout.log"
	fi
	say "clickhouse: started (pid $pid, $(ch_query 127.0.0.1 "$CH_PORT" 'SELECT version()')), data in $(rel "$CH_DIR"), native 127.0.0.1:$CH_PORT, http 127.0.0.1:$CH_HTTP_PORT"
	ch_use 127.0.0.1 "$CH_PORT" started
}

# Succeeds when the server answers, or when it has died (no point in waiting then).
ch_ready_or_dead() {
	! kill -0 "$1" 2>/dev/null || ch_answers 127.0.0.1 "$CH_PORT"
}

ch_up() {
	local host port
	if [[ -n ${GRIDGOV_CH_ADDR:-} && $GRIDGOV_CH_ADDR != "127.0.0.1:$CH_PORT" ]]; then
		host=${GRIDGOV_CH_ADDR%:*}
		port=${GRIDGOV_CH_ADDR##*:}
		[[ $host != "$GRIDGOV_CH_ADDR" ]] || port=9000
		# Only the native protocol reaches an arbitrary server: get the client first.
		ch_find_client || apt_install clickhouse clickhouse-client
		if ch_answers "$host" "$port"; then ch_use "$host" "$port"; return; fi
		say "clickhouse: GRIDGOV_CH_ADDR ($GRIDGOV_CH_ADDR) does not answer; looking elsewhere"
	fi
	if ch_answers 127.0.0.1 "$CH_PORT"; then ch_use 127.0.0.1 "$CH_PORT"; return; fi

	if docker_ok; then
		say "clickhouse: starting via docker compose"
		GRIDGOV_CH_STATISTICIAN_PASSWORD=$(ch_statistician_password) compose up -d clickhouse >/dev/null 9>&- ||
			die "clickhouse: docker compose up -d clickhouse failed"
		mkdir -p "$RUN" && : >"$RUN/clickhouse.docker"
		wait_for "$TIMEOUT" ch_answers 127.0.0.1 "$CH_PORT" ||
			die "clickhouse: the docker compose service does not answer on 127.0.0.1:$CH_PORT within ${TIMEOUT}s (docker compose logs clickhouse)"
		say "clickhouse: started (docker compose), native 127.0.0.1:$CH_PORT"
		ch_use 127.0.0.1 "$CH_PORT" started
		return
	fi
	ch_start_local
}

ch_down() {
	local pid
	if pid_alive "$RUN/clickhouse.pid" clickhouse; then
		pid=$(<"$RUN/clickhouse.pid")
		kill -TERM "$pid"
		if ! wait_for 30 pid_gone "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
			say "clickhouse: pid $pid ignored SIGTERM for 30 s; killed"
		fi
		say "clickhouse: stopped project-local server (pid $pid); data kept in $(rel "$CH_DIR")"
	elif [[ -e $RUN/clickhouse.docker ]]; then
		compose stop clickhouse >/dev/null && say "clickhouse: stopped docker compose service"
	else
		say "clickhouse: nothing started by this script is running; leaving any other server alone"
	fi
	rm -f "$RUN/clickhouse.pid" "$RUN/clickhouse.docker"
}

# ---------------------------------------------------------------- s3 (SeaweedFS)

# s3_build — weed from the Go module proxy. Its go.mod has replace directives, which
# `go install module/weed@version` refuses, so it is built from a copy of the module's source.
s3_build() {
	local src
	command -v go >/dev/null || die "s3: go is needed to build SeaweedFS"
	say "s3: building SeaweedFS's weed into $(rel "$LOCAL/bin") (minutes, once)"
	src=$(cd "$REPO" && go mod download -json "$WEED_MODULE" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[[ -d $src ]] || die "s3: could not download $WEED_MODULE"
	mkdir -p "$S3_DIR" "$LOCAL/bin"
	rm -rf "$S3_DIR/src" && cp -r "$src" "$S3_DIR/src" && chmod -R u+w "$S3_DIR/src"
	(cd "$S3_DIR/src" && go build -o "$WEED.tmp" ./weed) >"$S3_DIR/build.log" 2>&1 ||
		die_with_log s3 "building weed failed" "$S3_DIR/build.log"
	mv "$WEED.tmp" "$WEED"
	rm -rf "$S3_DIR/src"
}

# s3_secret — the test key pair's secret, generated once.
s3_secret() {
	[[ -s $S3_DIR/secret ]] || (umask 077 && mkdir -p "$S3_DIR" && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$S3_DIR/secret")
	cat "$S3_DIR/secret"
}

# s3_ready — the gateway answers a request (refused without a signature: it checks them).
s3_ready() { [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/") == 403 ]]; }

s3_up() {
	local pid secret
	S3_URL="http://127.0.0.1:$S3_PORT/gridgov-evidence"
	secret=$(s3_secret)
	if pid_alive "$RUN/seaweedfs.pid" weed && s3_ready; then
		say "s3: SeaweedFS answers on 127.0.0.1:$S3_PORT (project-local, pid $(<"$RUN/seaweedfs.pid"))"
		return
	fi
	# One already answering (another checkout's, or the main set of a private one): used as
	# it is; the keys exported are this checkout's, which only a server it started knows.
	if s3_ready; then
		say "s3: using running server at 127.0.0.1:$S3_PORT"
		return
	fi
	port_open 127.0.0.1 "$S3_PORT" && die "s3: 127.0.0.1:$S3_PORT is taken by something that does not answer as S3; set GRIDGOV_S3_PORT"
	[[ -x $WEED ]] || s3_build
	mkdir -p "$S3_DIR/data" "$RUN"
	(umask 077 && printf '{"identities":[{"name":"gridgov","credentials":[{"accessKey":"gridgov","secretKey":"%s"}],"actions":["Admin","Read","Write","List","Tagging"]}]}\n' \
		"$secret" >"$S3_DIR/s3.json")
	# On loopback, its other ports next to the gateway's (gRPC on each plus 10000), away from
	# the API's 8080 that SeaweedFS's volume server would take.
	(cd "$S3_DIR" && exec setsid "$WEED" server -dir="$S3_DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
		-master.port=$((S3_PORT + 1000)) -volume.port=$((S3_PORT + 1001)) -filer.port=$((S3_PORT + 1002)) \
		-master.volumeSizeLimitMB=64 -s3 -s3.port="$S3_PORT" -s3.config="$S3_DIR/s3.json") \
		>"$S3_DIR/weed.log" 2>&1 </dev/null 9>&- &
	pid=$!
	printf '%s\n' "$pid" >"$RUN/seaweedfs.pid"
	wait_for "$TIMEOUT" s3_ready || die_with_log s3 "SeaweedFS (pid $pid) does not answer on 127.0.0.1:$S3_PORT within ${TIMEOUT}s" "$S3_DIR/weed.log"
	say "s3: started SeaweedFS (pid $pid), data in $(rel "$S3_DIR"), S3 on 127.0.0.1:$S3_PORT"
}

s3_down() {
	local pid
	if pid_alive "$RUN/seaweedfs.pid" weed; then
		pid=$(<"$RUN/seaweedfs.pid")
		kill -TERM "$pid"
		wait_for 30 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
		say "s3: stopped SeaweedFS (pid $pid); data kept in $(rel "$S3_DIR")"
	else
		say "s3: nothing started by this script is running"
	fi
	rm -f "$RUN/seaweedfs.pid"
}

# s3_exports — the export lines of the test store.
s3_exports() {
	printf 'export GRIDGOV_TEST_S3_URL=%s\n' "$(shquote "${S3_URL:-http://127.0.0.1:$S3_PORT/gridgov-evidence}")"
	printf 'export GRIDGOV_TEST_S3_ACCESS_KEY=gridgov\n'
	printf 'export GRIDGOV_TEST_S3_SECRET_KEY=%s\n' "$(shquote "$(<"$S3_DIR/secret")")"
}

# ---------------------------------------------------------------- subcommands

# Serialise up/down: several test packages may call `up` at the same time.
lock() {
	mkdir -p "$RUN"
	exec 9>"$RUN/lock"
	flock -w 600 9 || die "another services.sh holds $RUN/lock"
}

cmd_up() {
	lock
	pg_up
	pg_postgis
	ch_up
	s3_up
	# Private: it holds the statistician's password and the S3 secret.
	rm -f "$STATE.tmp"
	(
		umask 077
		{
			printf 'export GRIDGOV_PG_URL=%s\n' "$(shquote "$PG_URL")"
			printf 'export GRIDGOV_CH_ADDR=%s\n' "$(shquote "$CH_ADDR")"
			[[ -z $CH_STAT_PASSWORD ]] || printf 'export GRIDGOV_CH_STATISTICIAN_PASSWORD=%s\n' "$(shquote "$CH_STAT_PASSWORD")"
			s3_exports
		} >"$STATE.tmp"
	)
	mv "$STATE.tmp" "$STATE"
	say "services: ready; eval \"\$(scripts/services.sh env)\" exports GRIDGOV_PG_URL, GRIDGOV_CH_ADDR, GRIDGOV_CH_STATISTICIAN_PASSWORD and GRIDGOV_TEST_S3_*"
}

cmd_env() {
	if [[ -s $STATE ]]; then
		cat "$STATE"
	else
		echo "services.sh: no state from 'up' yet; printing the defaults" >&2
		printf 'export GRIDGOV_PG_URL=%s\n' "$(shquote "${GRIDGOV_PG_URL:-$(pg_default_url)}")"
		printf 'export GRIDGOV_CH_ADDR=%s\n' "$(shquote "${GRIDGOV_CH_ADDR:-127.0.0.1:$CH_PORT}")"
		[[ ! -r $CH_STAT_PASSWORD_FILE ]] ||
			printf 'export GRIDGOV_CH_STATISTICIAN_PASSWORD=%s\n' "$(shquote "$(<"$CH_STAT_PASSWORD_FILE")")"
		[[ ! -r $S3_DIR/secret ]] || s3_exports
	fi
}

cmd_status() {
	local pg ch host port rc=0 v
	# What `up` chose, else what the Go code would use.
	if [[ -s $STATE ]]; then
		pg=$(sed -n "s/^export GRIDGOV_PG_URL='\(.*\)'$/\1/p" "$STATE")
		ch=$(sed -n "s/^export GRIDGOV_CH_ADDR='\(.*\)'$/\1/p" "$STATE")
	fi
	pg=${pg:-${GRIDGOV_PG_URL:-$(pg_default_url)}}
	ch=${ch:-${GRIDGOV_CH_ADDR:-127.0.0.1:$CH_PORT}}

	if command -v psql >/dev/null && pg_answers "$pg"; then
		v=$(pg_psql "$(pg_url_db "$pg" postgres)" 'show server_version')
		say "postgres: answers at $(pg_where "$pg") (version $v)$(pg_owned_note)"
	else
		say "postgres: does not answer at $(pg_where "$pg")"
		rc=1
	fi
	host=${ch%:*} port=${ch##*:}
	if ch_find_client || [[ $host == 127.0.0.1 ]]; then
		if ch_answers "$host" "$port"; then
			say "clickhouse: answers at $ch (version $(ch_query "$host" "$port" 'SELECT version()'))$(ch_owned_note)"
		else
			say "clickhouse: does not answer at $ch"
			rc=1
		fi
	else
		say "clickhouse: cannot check $ch (no clickhouse-client)"
		rc=1
	fi
	if s3_ready; then
		say "s3: answers at 127.0.0.1:$S3_PORT$(pid_alive "$RUN/seaweedfs.pid" weed && printf ' (project-local SeaweedFS, pid %s)' "$(<"$RUN/seaweedfs.pid")")"
	else
		say "s3: does not answer at 127.0.0.1:$S3_PORT"
		rc=1
	fi
	return $rc
}

# down [postgres] [clickhouse] — both when none is named.
cmd_down() {
	local all=1 s
	lock
	for s in "$@"; do
		case $s in
		postgres | clickhouse | s3) all=0 ;;
		*) die "down: unknown service '$s' (postgres, clickhouse or s3)" ;;
		esac
	done
	if ((all)) || [[ " $* " == *" s3 "* ]]; then s3_down; fi
	if ((all)) || [[ " $* " == *" clickhouse "* ]]; then ch_down; fi
	if ((all)) || [[ " $* " == *" postgres "* ]]; then pg_down; fi
	# What `up` recorded may now be stale; `env` falls back to the defaults.
	rm -f "$STATE"
}

# Sourced (scripts/cluster.sh does, for the helpers above): define, run nothing.
[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0

case ${1:-up} in
up) cmd_up ;;
status) cmd_status ;;
down) shift && cmd_down "$@" ;;
env) cmd_env ;;
-h | --help | help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
*) die "unknown subcommand '$1' (use up, status, down or env)" ;;
esac
