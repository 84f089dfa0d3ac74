package warehouse

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Dial makes a client without checking that the server answers: the API starts and serves
// its operational data while ClickHouse is down, and each warehouse query then fails on its
// own (Ping tells readiness probes).
func Dial(o Options) (*Client, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{o.Addr},
		Auth:        clickhouse.Auth{Database: cmp.Or(o.DefaultDatabase, "default"), Username: o.User, Password: o.Password},
		DialTimeout: 2 * time.Second,
		ReadTimeout: time.Minute,
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", o.Addr, err)
	}
	return &Client{Conn: conn, Database: o.Database}, nil
}

// Ping checks that the server answers.
func (c *Client) Ping(ctx context.Context) error { return c.Conn.Ping(ctx) }
