// Package warehouse is gridgov's ClickHouse side: the connection, the versioned DDL under
// schema/clickhouse and its application, the data dictionary generated from that DDL, and
// the queries that read the deduplicated star schema.
//
// Postgres is the source of truth; the warehouse is a copy built by package etl and written by
// nothing else. Every statement here runs unchanged on Debian's ClickHouse 18.16 (over the
// native protocol) and on a current release (proved through chDB in warehouse/chdbtest), so
// the SQL keeps to what both understand: explicit column lists, no server-side parameters,
// ReplacingMergeTree read with FINAL and is_deleted = 0.
package warehouse

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"
)

// Engine runs SQL on some ClickHouse: a server through Client, or chDB in tests. Query is for
// small results (dictionaries, reconciliation, status); bulk loads use Client.Conn directly.
type Engine interface {
	Exec(ctx context.Context, query string) error
	// Query returns every row as text, NULL as Null, numbers and dates in ClickHouse's own
	// text form.
	Query(ctx context.Context, query string) ([][]string, error)
}

// Null is how Engine.Query renders a NULL.
const Null = `\N`

// Options says where the warehouse is.
type Options struct {
	Addr     string // host:port of the native protocol
	Database string
	User     string
	Password string
	// DefaultDatabase is the connection's current database; "default" when empty. A user
	// confined to the warehouse (allow_databases, as the statistician is) must name it.
	DefaultDatabase string
}

// Client is a connection pool to a ClickHouse server over the native protocol.
type Client struct {
	Conn     driver.Conn
	Database string
	Addr     string // as Options gave it
}

// Open connects to the server and checks that it answers. The database need not exist yet
// (the connection's default database is "default"; every statement here names its database).
// Addr may list several servers, comma-separated (the nodes of a cluster): a connection goes
// to the first that answers.
func Open(ctx context.Context, o Options) (*Client, error) {
	conn, err := clickhouse.Open(nodeOptions(o.Addr, o))
	if err != nil {
		return nil, fmt.Errorf("connect clickhouse %s: %w", o.Addr, err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("ping clickhouse %s: %w", o.Addr, err)
	}
	return &Client{Conn: conn, Database: o.Database, Addr: o.Addr}, nil
}

// nodeOptions are the driver's options for the servers of addrs (comma-separated), tried in
// order.
func nodeOptions(addrs string, o Options) *clickhouse.Options {
	current := o.DefaultDatabase
	if current == "" {
		current = "default"
	}
	return &clickhouse.Options{
		Addr:             ClusterAddrs(addrs),
		ConnOpenStrategy: clickhouse.ConnOpenInOrder,
		Auth:             clickhouse.Auth{Database: current, Username: o.User, Password: o.Password},
		DialTimeout:      5 * time.Second,
		ReadTimeout:      5 * time.Minute,
		Compression:      &clickhouse.Compression{Method: clickhouse.CompressionLZ4},
	}
}

// Close closes the pool.
func (c *Client) Close() error { return c.Conn.Close() }

// Exec runs a statement that returns no rows.
func (c *Client) Exec(ctx context.Context, query string) error {
	return c.Conn.Exec(ctx, query)
}

// Query runs a query and renders its rows as text (see Engine).
func (c *Client) Query(ctx context.Context, query string) ([][]string, error) {
	rows, err := c.Conn.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	// One set of destinations for every row: each row is rendered as text before the next.
	dest := make([]any, len(types))
	names := make([]string, len(types))
	for i, t := range types {
		dest[i] = reflect.New(t.ScanType()).Interface()
		names[i] = t.DatabaseTypeName()
	}
	var out [][]string
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := make([]string, len(dest))
		for i, d := range dest {
			if s, ok := d.(*string); ok { // a String column: its text as it is
				row[i] = *s
				continue
			}
			row[i] = text(reflect.ValueOf(d).Elem(), names[i])
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// text renders a scanned value the way ClickHouse's TabSeparated output does.
func text(v reflect.Value, typ string) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return Null
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		if !strings.Contains(typ, "DateTime") {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.DateTime)
	case decimal.Decimal:
		return x.String()
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// CreateDatabase creates the warehouse database when it does not exist.
func CreateDatabase(ctx context.Context, e Engine, db string) error {
	if err := e.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+Quote(db)); err != nil {
		return fmt.Errorf("create database %s: %w", db, err)
	}
	return nil
}

// The escapers of Quote and QuoteString, built once.
var (
	identEscaper  = strings.NewReplacer(`\`, `\\`, "`", "\\`")
	stringEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`)
)

// Quote quotes a ClickHouse identifier. Every identifier that reaches SQL goes through it.
func Quote(ident string) string {
	return "`" + identEscaper.Replace(ident) + "`"
}

// QuoteString renders a ClickHouse string literal, for the few statements that carry a value
// where no bound parameter is possible (DDL, chDB).
func QuoteString(s string) string {
	return "'" + stringEscaper.Replace(s) + "'"
}

// Qualified is db.table, both quoted.
func Qualified(db, table string) string { return Quote(db) + "." + Quote(table) }

// StagingStatements prepare a full reload of table without touching it: an empty copy
// (same columns and engine) named staging, replacing any left by an interrupted reload.
func StagingStatements(db, table, staging string) []string {
	return []string{
		"DROP TABLE IF EXISTS " + Qualified(db, staging),
		"CREATE TABLE " + Qualified(db, staging) + " AS " + Qualified(db, table),
	}
}

// SwapStatements put a loaded staging table in place of table. The two renames are one
// statement, which readers see at once (EXCHANGE TABLES would need a newer server and an
// Atomic database; this works on 18.16 and on current releases alike). old is dropped after.
func SwapStatements(db, table, staging, old string) []string {
	return []string{
		"DROP TABLE IF EXISTS " + Qualified(db, old),
		"RENAME TABLE " + Qualified(db, table) + " TO " + Qualified(db, old) + ", " +
			Qualified(db, staging) + " TO " + Qualified(db, table),
		"DROP TABLE IF EXISTS " + Qualified(db, old),
	}
}
