package warehouse_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"gridgov/apperr"
	"gridgov/warehouse"
)

// TestErrorClasses: an unreachable ClickHouse is unavailable and transient; an error it
// reports is transient only when its code says the server is busy or restarting, and
// unavailable only when it could not reach a shard of a cluster; a cancelled query is neither.
func TestErrorClasses(t *testing.T) {
	cases := []struct {
		name                   string
		err                    error
		unavailable, transient bool
	}{
		{"connection refused", fmt.Errorf("query: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true, true},
		{"connection reset", fmt.Errorf("query: %w", syscall.ECONNRESET), true, true},
		{"closed mid-answer", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), true, true},
		{"no connection free", clickhouse.ErrAcquireConnTimeout, true, true},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), true, true},
		{"too many queries", fmt.Errorf("query: %w", &clickhouse.Exception{Code: warehouse.CodeTooManySimultaneousQueries}), false, true},
		{"keeper", &clickhouse.Exception{Code: warehouse.CodeKeeperException}, false, true},
		{"a shard of which no replica answers", fmt.Errorf("query: %w", &clickhouse.Exception{Code: warehouse.CodeAllConnectionTriesFailed}), true, true},
		{"a shard's connection broke", &clickhouse.Exception{Code: warehouse.CodeNetworkError}, true, true},
		{"unknown table", &clickhouse.Exception{Code: warehouse.CodeUnknownTable}, false, false},
		{"access denied", &clickhouse.Exception{Code: warehouse.CodeAccessDenied}, false, false},
		{"cancelled", fmt.Errorf("query: %w", context.Canceled), false, false},
		{"a bad row", errors.New("row 3: out of range"), false, false},
		{"nil", nil, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := warehouse.IsUnavailable(c.err); got != c.unavailable {
				t.Errorf("IsUnavailable = %v, want %v", got, c.unavailable)
			}
			if got := warehouse.Transient(c.err); got != c.transient {
				t.Errorf("Transient = %v, want %v", got, c.transient)
			}
			if got := apperr.CodeOf(warehouse.Unavailable(c.err)) == apperr.WarehouseUnavailable; got != c.unavailable {
				t.Errorf("Unavailable gives WAREHOUSE_UNAVAILABLE: %v, want %v", got, c.unavailable)
			}
		})
	}
	if !warehouse.HasCode(fmt.Errorf("summary state: %w", &clickhouse.Exception{Code: warehouse.CodeUnknownTable}), warehouse.CodeUnknownTable) {
		t.Error("HasCode misses a wrapped exception")
	}
	if warehouse.HasCode(io.EOF, warehouse.CodeUnknownTable) {
		t.Error("HasCode finds a code in an error that has none")
	}
}
