#!/usr/bin/env bash
# cluster.sh — a ClickHouse cluster on loopback for gridgov's warehouse, and a streaming
# Postgres replica: the scale-out the cluster tests (make test-cluster) run against.
#
#   scripts/cluster.sh up        start ZooKeeper and the three ClickHouse nodes (idempotent)
#   scripts/cluster.sh down      stop what `up` started (data kept under .local/)
#   scripts/cluster.sh stop|start NODE   stop or start one node (ch1, ch2, ch3): the fault tests
#   scripts/cluster.sh status    say what answers
#   scripts/cluster.sh env       export lines: GRIDGOV_CH_CLUSTER, GRIDGOV_CH_CLUSTER_NODES, ...,
#                                GRIDGOV_CH_CLUSTER_STATISTICIAN_PASSWORD
#   scripts/cluster.sh replica up|down|stop|start|status|env   a Postgres primary (5433) and its
#                                streaming replica (5434), project-local (see rp_up)
#
# The cluster: ZooKeeper (Debian's zookeeper package, one standalone server on 127.0.0.1:
# GRIDGOV_ZK_PORT, default 2181, data in .local/zookeeper) and three ClickHouse 18.16 servers
# (Debian's clickhouse-server, as services.sh starts the single one) named ch1, ch2, ch3 with
# native ports GRIDGOV_CLUSTER_PORT+1..3 (default 9401..9403), HTTP ports 8601..8603 and
# interserver ports 9501..9503, data in .local/clickhouse-cluster/chN. Cluster `gridgov` has two
# shards: 01 with replicas ch1 and ch2, 02 with ch3; cluster `gridgov_all` has one shard of all
# three (deploy/clickhouse-cluster/cluster.xml.tmpl). Each node's config is the single server's
# (deploy/clickhouse) plus the cluster's config.d and users.d files; the read-only statistician
# logs in to every node with the password of .local/clickhouse-cluster/statistician.password.
set -euo pipefail

# shellcheck source=scripts/services.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/services.sh"

CL_DIR="$LOCAL/clickhouse-cluster"
CL_TEMPLATES="$REPO/deploy/clickhouse-cluster"
CL_BASE=${GRIDGOV_CLUSTER_PORT:-9400} # node N: native BASE+N, http BASE-900+100+N, interserver BASE+100+N
ZK_PORT=${GRIDGOV_ZK_PORT:-2181}
ZK_DIR="$LOCAL/zookeeper"
CL_STAT_PASSWORD_FILE="$CL_DIR/statistician.password" # the statistician's on every node
CL_NODES=(ch1 ch2 ch3)
CL_SHARDS=(01 01 02)

cl_index() { # NODE -> 0-based index
	local i
	for i in "${!CL_NODES[@]}"; do [[ ${CL_NODES[$i]} == "$1" ]] && { printf '%s' "$i"; return; }; done
	die "cluster: no node '$1' (ch1, ch2 or ch3)"
}
cl_port() { printf '%s' $((CL_BASE + $1 + 1)); }             # native
cl_http_port() { printf '%s' $((CL_BASE - 900 + 100 + $1 + 1)); } # 8601..
cl_inter_port() { printf '%s' $((CL_BASE + 100 + $1 + 1)); }  # 9501..

# ---------------------------------------------------------------- ZooKeeper

zk_ok() { [[ $(timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$ZK_PORT"'; printf ruok >&3; cat <&3' 2>/dev/null) == imok ]]; }

zk_up() {
	local pid
	if zk_ok; then
		say "zookeeper: answers on 127.0.0.1:$ZK_PORT$(pid_alive "$RUN/zookeeper.pid" zookeeper && printf ' (project-local, pid %s)' "$(<"$RUN/zookeeper.pid")")"
		return
	fi
	[[ -f /usr/share/java/zookeeper.jar ]] || apt_install zookeeper zookeeper
	command -v java >/dev/null || apt_install zookeeper default-jre-headless
	port_open 127.0.0.1 "$ZK_PORT" && die "zookeeper: 127.0.0.1:$ZK_PORT is taken by something that is not ZooKeeper; set GRIDGOV_ZK_PORT"
	mkdir -p "$ZK_DIR/data" "$ZK_DIR/log" "$RUN"
	sed -e "s|@ZK_DIR@|$ZK_DIR|g" -e "s|@ZK_PORT@|$ZK_PORT|g" "$CL_TEMPLATES/zoo.cfg.tmpl" >"$ZK_DIR/zoo.cfg"
	# The server class alone: the jar's manifest names the libraries it needs.
	(cd "$ZK_DIR" && exec setsid java -Xmx256m -Dzookeeper.log.dir="$ZK_DIR/log" -Dzookeeper.root.logger=INFO,CONSOLE \
		-cp "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar" org.apache.zookeeper.server.ZooKeeperServerMain "$ZK_DIR/zoo.cfg") \
		>"$ZK_DIR/log/zookeeper.out" 2>&1 </dev/null 8>&- 9>&- &
	pid=$!
	printf '%s\n' "$pid" >"$RUN/zookeeper.pid"
	wait_for "$TIMEOUT" zk_ok || die_with_log zookeeper "pid $pid does not answer on 127.0.0.1:$ZK_PORT within ${TIMEOUT}s" "$ZK_DIR/log/zookeeper.out"
	say "zookeeper: started (pid $pid), data in $(rel "$ZK_DIR"), 127.0.0.1:$ZK_PORT"
}

zk_down() {
	stop_pid zookeeper "$RUN/zookeeper.pid" zookeeper
}

# stop_pid NAME PIDFILE WORD — TERM, then KILL after 30 s, a process this script recorded.
stop_pid() {
	local pid
	if pid_alive "$2" "$3"; then
		pid=$(<"$2")
		kill -TERM "$pid"
		wait_for 30 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
		say "$1: stopped (pid $pid)"
	else
		say "$1: not running (nothing started by this script)"
	fi
	rm -f "$2"
}

# ---------------------------------------------------------------- Postgres primary and replica

# A pair of its own, not a replica of the shared server: streaming replication needs a
# `replication` line in the primary's pg_hba.conf and, on a server without wal_level=replica,
# a restart. The primary (GRIDGOV_PG_PRIMARY_PORT, 5433) is initialised with both allowed on
# loopback; the replica (GRIDGOV_PG_REPLICA_PORT, 5434) is a pg_basebackup -R of it, streaming.
RP_PRIMARY_PORT=${GRIDGOV_PG_PRIMARY_PORT:-5433}
RP_REPLICA_PORT=${GRIDGOV_PG_REPLICA_PORT:-5434}
RP_DIR="$LOCAL/pg-replication"

rp_url() { printf 'postgres://postgres@127.0.0.1:%s/%s?sslmode=disable' "$1" "$DB"; }

# rp_ctl NAME PORT ACTION — pg_ctl of the primary or the replica, as the postgres user.
rp_ctl() {
	local bin
	bin=$(pg_bindir) || apt_install postgres postgresql
	bin=$(pg_bindir) || die "replica: no Postgres 15+ server binaries"
	(cd "$RP_DIR" && run_as postgres "$bin/pg_ctl" -D "$RP_DIR/$1" -l "$RP_DIR/$1.log" -w -t "$TIMEOUT" -m fast \
		-o "-c listen_addresses=127.0.0.1 -c port=$2 -c unix_socket_directories=''" "$3") >/dev/null 8>&- 9>&- ||
		die_with_log replica "pg_ctl $3 of the $1 (port $2) failed" "$RP_DIR/$1.log"
}

rp_up() {
	local bin
	((EUID == 0)) || die "replica: needs root (the servers run as the postgres user)"
	pg_need_client
	bin=$(pg_bindir) || { apt_install postgres postgresql; bin=$(pg_bindir); }
	mkdir -p "$RP_DIR" && chown postgres:postgres "$RP_DIR" && make_reachable postgres "$RP_DIR"
	if [[ ! -s $RP_DIR/primary/PG_VERSION ]]; then
		install -d -m 700 -o postgres -g postgres "$RP_DIR/primary"
		(cd "$RP_DIR" && run_as postgres "$bin/initdb" -D "$RP_DIR/primary" -U postgres --auth-local=trust \
			--auth-host=trust --encoding=UTF8 --locale=C.UTF-8) >"$RP_DIR/initdb.log" 2>&1 ||
			die_with_log replica "initdb failed" "$RP_DIR/initdb.log"
		printf 'wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\nhot_standby_feedback = on\n' >>"$RP_DIR/primary/postgresql.conf"
		printf 'host replication postgres 127.0.0.1/32 trust\n' >>"$RP_DIR/primary/pg_hba.conf"
	fi
	pg_answers "$(rp_url "$RP_PRIMARY_PORT")" || rp_ctl primary "$RP_PRIMARY_PORT" start
	pg_use "$(rp_url "$RP_PRIMARY_PORT")" started
	if [[ ! -s $RP_DIR/replica/PG_VERSION ]]; then
		install -d -m 700 -o postgres -g postgres "$RP_DIR/replica"
		(cd "$RP_DIR" && run_as postgres "$bin/pg_basebackup" -h 127.0.0.1 -p "$RP_PRIMARY_PORT" -U postgres \
			-D "$RP_DIR/replica" -R -X stream) >"$RP_DIR/basebackup.log" 2>&1 ||
			die_with_log replica "pg_basebackup failed" "$RP_DIR/basebackup.log"
	fi
	pg_answers "$(rp_url "$RP_REPLICA_PORT")" || rp_ctl replica "$RP_REPLICA_PORT" start
	say "replica: primary 127.0.0.1:$RP_PRIMARY_PORT, streaming replica 127.0.0.1:$RP_REPLICA_PORT, data in $(rel "$RP_DIR")"
}

rp_env() {
	printf 'export GRIDGOV_TEST_PG_PRIMARY_URL=%s\n' "$(shquote "$(rp_url "$RP_PRIMARY_PORT")")"
	printf 'export GRIDGOV_TEST_PG_REPLICA_URL=%s\n' "$(shquote "$(rp_url "$RP_REPLICA_PORT")")"
}

rp_main() {
	case ${1:-up} in
	up) rp_up ;;
	down)
		pg_answers "$(rp_url "$RP_REPLICA_PORT")" && rp_ctl replica "$RP_REPLICA_PORT" stop
		pg_answers "$(rp_url "$RP_PRIMARY_PORT")" && rp_ctl primary "$RP_PRIMARY_PORT" stop
		say "replica: stopped; data kept in $(rel "$RP_DIR")"
		;;
	stop) rp_ctl replica "$RP_REPLICA_PORT" stop ;;
	start) rp_ctl replica "$RP_REPLICA_PORT" start ;;
	status)
		pg_answers "$(rp_url "$RP_PRIMARY_PORT")" && say "replica: primary answers on 127.0.0.1:$RP_PRIMARY_PORT" || say "replica: primary down"
		pg_answers "$(rp_url "$RP_REPLICA_PORT")" && say "replica: replica answers on 127.0.0.1:$RP_REPLICA_PORT" || say "replica: replica down"
		;;
	env) rp_env ;;
	*) die "replica: unknown subcommand '$1' (up, down, stop, start, status, env)" ;;
	esac
}

# ---------------------------------------------------------------- ClickHouse nodes

# node_render I — the node's config: the single server's, with its own ports and directory,
# and the cluster's config.d and users.d files.
node_render() {
	local i=$1 name=${CL_NODES[$1]} CH_DIR CH_PORT CH_HTTP_PORT
	CH_DIR="$CL_DIR/$name" CH_PORT=$(cl_port "$i") CH_HTTP_PORT=$(cl_http_port "$i")
	for d in data tmp user_files format_schemas log config.d users.d; do mkdir -p "$CH_DIR/$d"; done
	ch_render "$CH_TEMPLATES/config.xml.tmpl" "$CH_DIR/config.xml"
	ch_render "$CL_TEMPLATES/cluster.xml.tmpl" "$CH_DIR/config.d/cluster.xml" \
		-e "s|@CH_INTERSERVER_PORT@|$(cl_inter_port "$i")|g" -e "s|@ZK_PORT@|$ZK_PORT|g" \
		-e "s|@CH_SHARD@|${CL_SHARDS[$i]}|g" -e "s|@CH_REPLICA@|$name|g" \
		-e "s|@CH1_PORT@|$(cl_port 0)|g" -e "s|@CH2_PORT@|$(cl_port 1)|g" -e "s|@CH3_PORT@|$(cl_port 2)|g"
	node_users "$i"
	chown -R clickhouse:clickhouse "$CH_DIR"
	make_reachable clickhouse "$CH_DIR"
}

# node_users I — the node's users: the single server's users.xml, the statistician with the
# cluster's password (CL_STAT_PASSWORD_FILE, generated on first use, root's only) and the
# cluster's profiles. A running server reloads them.
node_users() {
	local CH_DIR="$CL_DIR/${CL_NODES[$1]}" CH_STAT_PASSWORD_FILE=$CL_STAT_PASSWORD_FILE
	ch_render_users
	cp "$CL_TEMPLATES/users-cluster.xml" "$CH_DIR/users.d/cluster.xml"
	chown clickhouse:clickhouse "$CH_DIR/users.d/cluster.xml"
	chown root:root "$CH_STAT_PASSWORD_FILE"
}

# node_statistician PORT — the statistician logs in to the node with the cluster's password.
node_statistician() {
	local CH_STAT_PASSWORD_FILE=$CL_STAT_PASSWORD_FILE
	ch_statistician_answers 127.0.0.1 "$1"
}

node_up() {
	local i=$1 name=${CL_NODES[$1]} port pid server dir
	port=$(cl_port "$i") dir="$CL_DIR/$name"
	if ch_answers 127.0.0.1 "$port"; then
		# Users and profiles are reloaded by a running server: refresh them.
		node_users "$i"
		wait_for 30 node_statistician "$port" ||
			die_with_log cluster "the statistician cannot log in to $name with $(rel "$CL_STAT_PASSWORD_FILE")" "$dir/log/clickhouse-server.err.log"
		say "cluster: $name answers on 127.0.0.1:$port"
		return
	fi
	pid_alive "$RUN/cluster-$name.pid" clickhouse && die "cluster: $name (pid $(<"$RUN/cluster-$name.pid")) runs but does not answer on 127.0.0.1:$port"
	port_open 127.0.0.1 "$port" && die "cluster: 127.0.0.1:$port is taken; set GRIDGOV_CLUSTER_PORT"
	mapfile -t server < <(ch_server_cmd || true)
	((${#server[@]})) || apt_install clickhouse clickhouse-server clickhouse-client
	mapfile -t server < <(ch_server_cmd)
	node_render "$i"
	(cd "$dir" && exec setsid env HOME="$dir" setpriv --reuid=clickhouse --regid=clickhouse \
		--init-groups -- "${server[@]}" --config-file="$dir/config.xml") \
		>"$dir/log/stdout.log" 2>&1 </dev/null 8>&- 9>&- &
	pid=$!
	printf '%s\n' "$pid" >"$RUN/cluster-$name.pid"
	wait_for "$TIMEOUT" node_ready_or_dead "$pid" "$port" ||
		die_with_log "cluster" "$name (pid $pid) does not answer on 127.0.0.1:$port within ${TIMEOUT}s" "$dir/log/clickhouse-server.err.log"
	kill -0 "$pid" 2>/dev/null || die_with_log cluster "$name exited during start-up" "$dir/log/clickhouse-server.err.log" "$dir/log/stdout.log"
	say "cluster: started $name (pid $pid, shard ${CL_SHARDS[$i]}), native 127.0.0.1:$port, data in $(rel "$dir")"
}

node_ready_or_dead() { ! kill -0 "$1" 2>/dev/null || ch_answers 127.0.0.1 "$2"; }

node_down() {
	local name=${CL_NODES[$1]}
	stop_pid "cluster: $name" "$RUN/cluster-$name.pid" clickhouse
}

cl_env() {
	local nodes="" i
	for i in "${!CL_NODES[@]}"; do nodes+="${nodes:+,}127.0.0.1:$(cl_port "$i")"; done
	printf 'export GRIDGOV_CH_CLUSTER=gridgov\n'
	printf 'export GRIDGOV_CH_CLUSTER_NODES=%s\n' "$(shquote "$nodes")"
	printf 'export GRIDGOV_ZK_ADDR=%s\n' "$(shquote "127.0.0.1:$ZK_PORT")"
	[[ ! -s $CL_STAT_PASSWORD_FILE ]] ||
		printf 'export GRIDGOV_CH_CLUSTER_STATISTICIAN_PASSWORD=%s\n' "$(shquote "$(<"$CL_STAT_PASSWORD_FILE")")"
}

cl_status() {
	local i rc=0
	if zk_ok; then say "zookeeper: answers on 127.0.0.1:$ZK_PORT"; else say "zookeeper: does not answer on 127.0.0.1:$ZK_PORT"; rc=1; fi
	for i in "${!CL_NODES[@]}"; do
		if ch_answers 127.0.0.1 "$(cl_port "$i")"; then
			say "cluster: ${CL_NODES[$i]} (shard ${CL_SHARDS[$i]}) answers on 127.0.0.1:$(cl_port "$i")"
		else
			say "cluster: ${CL_NODES[$i]} (shard ${CL_SHARDS[$i]}) does not answer on 127.0.0.1:$(cl_port "$i")"
			rc=1
		fi
	done
	return $rc
}

cl_lock() {
	mkdir -p "$RUN"
	exec 8>"$RUN/cluster.lock"
	flock -w 600 8 || die "another cluster.sh holds $RUN/cluster.lock"
}

cl_main() {
	local i
	((EUID == 0)) || die "cluster: needs root (the servers run as the clickhouse user)"
	case ${1:-up} in
	up)
		cl_lock
		ch_find_client || apt_install clickhouse clickhouse-client
		zk_up
		for i in "${!CL_NODES[@]}"; do node_up "$i"; done
		;;
	down)
		cl_lock
		for i in "${!CL_NODES[@]}"; do node_down "$i"; done
		zk_down
		;;
	stop) node_down "$(cl_index "${2:?stop which node}")" ;;
	start)
		ch_find_client || true
		node_up "$(cl_index "${2:?start which node}")"
		;;
	status) cl_status ;;
	env) cl_env ;;
	replica) shift && rp_main "$@" ;;
	-h | --help | help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' ;;
	*) die "cluster: unknown subcommand '$1' (up, down, stop, start, status, env, replica)" ;;
	esac
}

cl_main "$@"
