package etl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/jackc/pgx/v5/pgconn"

	"gridgov/warehouse"
)

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("load x: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{"eof", fmt.Errorf("load x: %w", io.EOF), true},
		{"no clickhouse connection free", fmt.Errorf("load x: %w", clickhouse.ErrAcquireConnTimeout), true},
		{"clickhouse too many parts", &clickhouse.Exception{Code: warehouse.CodeTooManyParts}, true},
		{"clickhouse memory limit", &clickhouse.Exception{Code: warehouse.CodeMemoryLimitExceeded}, true},
		{"clickhouse unknown table", &clickhouse.Exception{Code: warehouse.CodeUnknownTable}, false},
		{"clickhouse syntax error", &clickhouse.Exception{Code: 62}, false},  // SYNTAX_ERROR
		{"clickhouse type mismatch", &clickhouse.Exception{Code: 53}, false}, // TYPE_MISMATCH
		{"deadline exceeded", fmt.Errorf("extract x: %w", context.DeadlineExceeded), true},
		{"postgres admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"postgres connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"postgres serialization", &pgconn.PgError{Code: "40001"}, true},
		{"postgres deadlock", &pgconn.PgError{Code: "40P01"}, true},
		{"postgres too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"postgres undefined column", &pgconn.PgError{Code: "42703"}, false},
		{"postgres query cancelled", &pgconn.PgError{Code: "57014"}, false},
		{"bad row", errors.New("table dim_building, row id=1, column covenant_adopted_on: out of range"), false},
		{"cancelled", context.Canceled, false},
		{"locked", ErrLocked, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryable(tt.err); got != tt.want {
				t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestPseudonymsAreKeyedAndStable(t *testing.T) {
	a, b := NewPseudonymizer("one"), NewPseudonymizer("two")
	if a.Key(42) != a.Key(42) {
		t.Error("the same id gave two keys")
	}
	if a.Key(42) == a.Key(43) || a.Key(42) == b.Key(42) {
		t.Error("keys collide across ids or secrets")
	}
}

func TestVersionGrowsWithAncestors(t *testing.T) {
	tb, _ := TableNamed("dim_building")
	if got := tb.versionExpr(); got != "t.version * 4294967296 + g.version + c.version + s.version + ci.version" {
		t.Errorf("versionExpr = %s", got)
	}
	city, _ := TableNamed("dim_city")
	if got := city.versionExpr(); got != "t.version" {
		t.Errorf("versionExpr = %s", got)
	}
}
