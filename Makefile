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
# Then the tests of what runs side by side within a request (pipelines, worker goroutines,
# prefetch, loaders, clients that hang up, panics) once more under the race detector.
RACE_TESTS := ^(TestConcurrent|TestClientsThatHangUp|TestPanicWhileReading|TestCache)
test: services tools
	$(WITH_ENV) export CHDB_LIB_PATH="$${CHDB_LIB_PATH:-$$(bash scripts/chdb.sh)}"; \
	go test -count=1 -timeout 40m ./...
	$(WITH_ENV) go test -race -count=1 -timeout 10m -run '$(RACE_TESTS)' ./loaders ./resolvers

# Formatting, vet, and generated code that must match its sources.
check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: files above need formatting'; exit 1; }
	go vet ./...
	go generate ./...
	@git diff --exit-code --stat -- graph docs || { echo 'generated files are stale: run go generate ./... and commit'; exit 1; }

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
# scale 20. Results (Markdown, CSV, JSON) and the pgbench scripts go to bin/apibench/.
#   make bench-api                      the working tree's build
#   make bench-api-compare BASE=<rev>   <rev> (built into bin/gridgov-base from git archive)
#                                       and the working tree's build, side by side in one run
# APIBENCH_FLAGS adds flags, e.g. APIBENCH_FLAGS='-classes console,claim -clients 8 -d 5s'
# (go run ./loadgen/apibench -h lists them).
BENCH_DB ?= gridgov_bench
APIBENCH_FLAGS ?=
BENCH_URL = "$$(echo "$$GRIDGOV_PG_URL" | sed -E 's,/[^/?]+(\?|$$),/$(BENCH_DB)\1,')"
CANDIDATE_LABEL = "$$(git describe --always --dirty)"
.PHONY: bench-api bench-api-compare bench-db
bench-db: services build
	$(WITH_ENV) url=$(BENCH_URL); \
	psql "$$GRIDGOV_PG_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_DB)'" | grep -q 1 || psql "$$GRIDGOV_PG_URL" -c 'CREATE DATABASE $(BENCH_DB)'; \
	GRIDGOV_PG_URL="$$url" $(BIN) migrate up; \
	GRIDGOV_PG_URL="$$url" $(BIN) seed --profile chaohu --seed 1 --scale 20 --as-of 2026-11-27

bench-api: bench-db
	$(WITH_ENV) go run ./loadgen/apibench -pg $(BENCH_URL) -bin $(BIN) -label $(CANDIDATE_LABEL) $(APIBENCH_FLAGS)

bench-api-compare: bench-db
	@test -n "$(BASE)" || { echo 'give the baseline revision: make bench-api-compare BASE=<rev>'; exit 1; }
	src="$$(mktemp -d)"; trap 'rm -rf "$$src"' EXIT; \
	git archive "$(BASE)" | tar -x -C "$$src"; \
	(cd "$$src" && go build -o "$(CURDIR)/bin/gridgov-base" ./cmd/gridgov)
	$(WITH_ENV) go run ./loadgen/apibench -pg $(BENCH_URL) -base bin/gridgov-base -base-label "$(BASE) ($$(git rev-parse --short $(BASE)))" \
		-bin $(BIN) -label $(CANDIDATE_LABEL) $(APIBENCH_FLAGS)

# Apache ECharts for the dashboard page, vendored from npm at the version pinned in the script.
.PHONY: dashboard-assets
dashboard-assets:
	bash scripts/dashboard-assets.sh

# The reliability suite at full length (docs/reliability.md); make test runs its short form.
.PHONY: reliability
reliability: services tools
	$(WITH_ENV) GRIDGOV_RELIABILITY=full go test -count=1 -timeout 80m -v ./reliability/
