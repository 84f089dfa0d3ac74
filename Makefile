# gridgov — the two commands of the README, and what they are made of.
#   make demo   services, migrations, the demo city, the warehouse load, then serve
#   make test   every test, against real Postgres and ClickHouse (started if needed)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
BIN := bin/gridgov
SERVICES := scripts/services.sh
# Each recipe line runs in its own shell: this prefix puts the services' addresses in it.
WITH_ENV := eval "$$($(SERVICES) env)";
SEED ?= 1
SCALE ?= 1

.PHONY: demo test build services tools check generate bench-seed reliability clean

build:
	go build -o $(BIN) ./cmd/gridgov

services:
	bash $(SERVICES) up

# Command-line tools the tests drive (promtool, Prometheus).
tools:
	bash scripts/tools.sh

demo: services build
	$(WITH_ENV) export GRIDGOV_MODE=$${GRIDGOV_MODE:-development}; \
	$(BIN) migrate up && \
	$(BIN) seed --profile chaohu --seed $(SEED) --scale $(SCALE) && \
	$(BIN) warehouse migrate && \
	$(BIN) etl run --once && \
	$(BIN) token demo && \
	{ $(BIN) etl run --follow --interval 5s & etl=$$!; trap 'kill $$etl 2>/dev/null' EXIT; \
	  echo "serving on http://$${GRIDGOV_LISTEN:-127.0.0.1:8080} (GraphiQL at /graphiql, dashboard at /dashboard); Ctrl-C stops"; \
	  $(BIN) serve; }

# Every test. Services are started first; chDB's engine is fetched for the warehouse tests.
# Then, once more under the race detector, the tests of what runs side by side: within a
# request (loaders, the executor's batches, clients that hang up, panics) and across processes
# (the scheduler's leader and its steps, every test of its package; the outbox's hub and the
# webhook workers, every test of theirs).
RACE_TESTS := ^(TestConcurrent|TestClientsThatHangUp|TestPanicWhileReading|TestCache)
test: services tools
	$(WITH_ENV) export CHDB_LIB_PATH="$${CHDB_LIB_PATH:-$$(bash scripts/chdb.sh)}"; \
	go test -count=1 -timeout 40m ./...
	$(WITH_ENV) go test -race -count=1 -timeout 10m -run '$(RACE_TESTS)' ./loaders ./resolvers
	$(WITH_ENV) go test -race -count=1 -timeout 10m ./scheduler
	$(WITH_ENV) go test -race -count=1 -timeout 10m ./realtime ./webhook

# Formatting, vet, generated code that must match its sources, and the GraphQL schema
# against its last release: a breaking change fails unless declared (docs/schema-breaking.json).
check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: files above need formatting'; exit 1; }
	go vet ./...
	go generate ./...
	@git diff --exit-code --stat -- graph docs || { echo 'generated files are stale: run go generate ./... and commit'; exit 1; }
	bash scripts/schema-check.sh

# The breaking-change check alone; and the release of the current schema: its diff from the
# last release added to docs/schema-changelog.md under RELEASE (default: today), the schema
# copied to docs/schema.released.graphql, the declarations emptied. Commit the three files.
.PHONY: schema-check schema-release
schema-check:
	bash scripts/schema-check.sh

schema-release:
	bash scripts/schema-check.sh release $(RELEASE)

generate:
	go generate ./...

# Seeding throughput against a bare COPY of the same rows (docs/benchmarks.md).
bench-seed: services
	$(WITH_ENV) go test -run '^$$' -bench BenchmarkSeed -benchtime 1x -timeout 60m ./seed/

clean:
	rm -rf bin

# GraphQL API benchmark (docs/benchmarks.md): eight request classes (console page, party
# members page, order feed, member by id, grid roster, quarterly ledger, monthly review, claim)
# at 1, 8 and 32 clients against `gridgov serve`, each beside pgbench replaying the statements
# the server sent for it. Runs on its own database, BENCH_DB, seeded once with the demo city at
# scale BENCH_SCALE (20). Results (Markdown, CSV, JSON) and the pgbench scripts go to bin/apibench/.
#   make bench-api                      the working tree's build
#   make bench-api-compare BASE=<rev>   <rev> (built into BASE_BIN from git archive)
#                                       and the working tree's build, side by side in one run
# In a comparison each build runs on its own schema: the baseline on BENCH_DB_base, a copy of
# BENCH_DB made at the baseline's schema, and the candidate on BENCH_DB, migrated after the copy.
# APIBENCH_FLAGS adds flags, e.g. APIBENCH_FLAGS='-classes console,claim -clients 8 -d 5s'
# (go run ./loadgen/apibench -h lists them).
BENCH_DB ?= gridgov_bench
BENCH_BASE_DB = $(BENCH_DB)_base
BENCH_SCALE ?= 20
BASE_BIN ?= bin/gridgov-base
APIBENCH_FLAGS ?=
bench_url = "$$(echo "$$GRIDGOV_PG_URL" | sed -E 's,/[^/?]+(\?|$$),/$(1)\1,')"
BENCH_URL = $(call bench_url,$(BENCH_DB))
BENCH_BASE_URL = $(call bench_url,$(BENCH_BASE_DB))
CANDIDATE_LABEL = "$$(git describe --always --dirty)"
# bench_db_at: BENCH_DB created if missing, migrated and seeded by the gridgov binary $(1);
# seed does nothing on a database that holds this seed already.
bench_db_at = psql "$$GRIDGOV_PG_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_DB)'" | grep -q 1 \
		|| psql "$$GRIDGOV_PG_URL" -c 'CREATE DATABASE $(BENCH_DB)'; \
	GRIDGOV_PG_URL=$(BENCH_URL) $(1) migrate up \
		|| { echo '$(1) cannot migrate $(BENCH_DB) (above); drop the database to seed it again'; exit 1; }; \
	GRIDGOV_PG_URL=$(BENCH_URL) $(1) seed --profile chaohu --seed 1 --scale $(BENCH_SCALE) --as-of 2026-11-27
# bench_db_back: when BENCH_DB is missing or past the schema of the baseline (an earlier
# comparison migrated it for its candidate) and the earlier copy is at a schema the baseline
# knows, the copy becomes BENCH_DB again: the seeded city, without seeding anew.
bench_db_back = if ! GRIDGOV_PG_URL=$(BENCH_URL) $(BASE_BIN) migrate status >/dev/null 2>&1 \
		&& GRIDGOV_PG_URL=$(BENCH_BASE_URL) $(BASE_BIN) migrate status >/dev/null 2>&1; then \
	echo '$(BENCH_DB) is missing or past the schema of $(BASE_BIN): $(BENCH_BASE_DB) takes its place'; \
	psql -v ON_ERROR_STOP=1 "$$GRIDGOV_PG_URL" -c 'DROP DATABASE IF EXISTS $(BENCH_DB)' \
		-c 'ALTER DATABASE $(BENCH_BASE_DB) RENAME TO $(BENCH_DB)'; fi
# bench_db_copy: BENCH_BASE_DB made anew as a copy of BENCH_DB. Postgres copies a database
# only while nothing else is connected to it.
bench_db_copy = others="$$(psql "$$GRIDGOV_PG_URL" -tAc "SELECT string_agg(pid || ' ' || application_name, ', ') \
		FROM pg_stat_activity WHERE datname = '$(BENCH_DB)'")"; \
	test -z "$$others" || { echo "$(BENCH_DB) has other connections (pid, application: $$others)," \
		"and a copy needs none: end them (an apibench run?) and try again"; exit 1; }; \
	psql -v ON_ERROR_STOP=1 "$$GRIDGOV_PG_URL" -c 'DROP DATABASE IF EXISTS $(BENCH_BASE_DB)' \
		-c 'CREATE DATABASE $(BENCH_BASE_DB) TEMPLATE $(BENCH_DB)'
.PHONY: bench-api bench-api-compare bench-db
bench-db: services build
	$(WITH_ENV) $(call bench_db_at,$(BIN))

bench-api: bench-db
	$(WITH_ENV) go run ./loadgen/apibench -pg $(BENCH_URL) -bin $(BIN) -label $(CANDIDATE_LABEL) $(APIBENCH_FLAGS)

# The baseline's database is made before the candidate's migrations run: BENCH_DB at the
# baseline's schema, seeded, copied to BENCH_BASE_DB; then the candidate migrates BENCH_DB.
bench-api-compare: services build
	@test -n "$(BASE)" || { echo 'give the baseline revision: make bench-api-compare BASE=<rev>'; exit 1; }
	src="$$(mktemp -d)"; trap 'rm -rf "$$src"' EXIT; \
	git archive "$(BASE)" | tar -x -C "$$src"; \
	(cd "$$src" && go build -o "$(abspath $(BASE_BIN))" ./cmd/gridgov)
	$(WITH_ENV) $(bench_db_back)
	$(WITH_ENV) $(call bench_db_at,$(BASE_BIN))
	$(WITH_ENV) $(bench_db_copy)
	$(WITH_ENV) GRIDGOV_PG_URL=$(BENCH_URL) $(BIN) migrate up
	$(WITH_ENV) go run ./loadgen/apibench -pg $(BENCH_URL) -base-pg $(BENCH_BASE_URL) \
		-base $(BASE_BIN) -base-label "$(BASE) ($$(git rev-parse --short $(BASE)))" \
		-bin $(BIN) -label $(CANDIDATE_LABEL) $(APIBENCH_FLAGS)

# Apache ECharts for the dashboard page, vendored from npm at the version pinned in the script.
.PHONY: dashboard-assets
dashboard-assets:
	bash scripts/dashboard-assets.sh

# GraphiQL and React for the explorer at /graphiql, vendored from npm at the versions pinned
# in the script.
.PHONY: graphiql-assets
graphiql-assets:
	bash scripts/graphiql-assets.sh

# The reliability suite at full length (docs/reliability.md); make test runs its short form.
.PHONY: reliability
reliability: services tools
	$(WITH_ENV) GRIDGOV_RELIABILITY=full go test -count=1 -timeout 80m -v ./reliability/

# The warehouse on a ClickHouse cluster (ZooKeeper and three 18.16 nodes on loopback, started by
# scripts/cluster.sh: two shards, one with two replicas), and the Postgres read replica: the
# same seed gives the same indicators on one node and on the cluster; a replica or a shard
# stopped; reads sent to the replica within a freshness bound. docs/scaling.md.
.PHONY: test-cluster
test-cluster: services
	bash scripts/cluster.sh up
	bash scripts/cluster.sh replica up
	$(WITH_ENV) eval "$$(bash scripts/cluster.sh env)"; eval "$$(bash scripts/cluster.sh replica env)"; \
	go vet -tags cluster ./warehouse/clustertest/ ./store/ && \
	go test -tags cluster -count=1 -timeout 30m -v -run 'TestClusterWarehouse|TestReadReplica' ./warehouse/clustertest/ ./store/
