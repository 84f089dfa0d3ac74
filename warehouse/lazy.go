package warehouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Dial makes a client without checking that the server answers: the API starts and serves
// its operational data while ClickHouse is down, and each warehouse query then fails on its
// own (Ping tells readiness probes).
func Dial(o Options) (*Client, error) {
	opts := nodeOptions(o.Addr, o)
	opts.DialTimeout, opts.ReadTimeout = 2*time.Second, time.Minute
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", o.Addr, err)
	}
	return &Client{Conn: conn, Database: o.Database, Addr: o.Addr}, nil
}

// Ping checks that the server answers.
func (c *Client) Ping(ctx context.Context) error { return c.Conn.Ping(ctx) }
