package store

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"gridgov/config"
)

// samples are literal values of each column kind, row by row: every nullable column both NULL
// and set, text with quotes and backslashes, times at the edges of the decoded range and
// beyond it (those rows go through Scan), and a date for a time column.
var samples = map[colKind][]string{
	kInt8:      {"1::bigint", "(-9223372036854775807 - 1)::bigint", "42::bigint", "7::bigint"},
	kOptInt8:   {"NULL::bigint", "5::bigint", "NULL::bigint", "6::bigint"},
	kInt:       {"3::int4", "-1::int4", "2147483647::int4", "0::int4"},
	kOptInt:    {"NULL::int4", "7::int4", "NULL::int4", "1::int4"},
	kText:      {`'标题 "quoted"'`, `''`, `'back\slash'`, `'x'`},
	kOptText:   {"NULL::text", `'已解决'`, "NULL::text", `'y'`},
	kLabel:     {`'dispatched'`, `'grid_worker'`, `'in_progress'`, `'dispatched'`},
	kOptLabel:  {"NULL::text", `'street'`, "NULL::text", `'female'`},
	kBool:      {"true", "false", "true", "false"},
	kFloat8:    {"2.5::float8", "-0.0::float8", "1e300::float8", "0.1::float8"},
	kOptFloat8: {"NULL::float8", "1.5::float8", "NULL::float8", "3::float8"},
	kTime: {"'2026-11-27 10:11:12.345678+08'::timestamptz", "'0001-01-01 00:00:00+00'::timestamptz",
		"'9999-12-31 23:59:59.999999+00'::timestamptz", "'4713-01-01 BC'::timestamptz"},
	kOptTime: {"NULL::timestamptz", "'2000-01-01 00:00:00+00'::timestamptz", "NULL::timestamptz", "'1969-12-31 23:59:59.999999+00'::timestamptz"},
}

// dates replace the time samples in a second reading: a time column may hold a date.
var dates = map[colKind][]string{
	kTime:    {"'2026-11-27'::date", "'0001-01-01'::date", "'9999-12-31'::date", "'2000-01-01'::date"},
	kOptTime: {"NULL::date", "'1969-12-31'::date", "NULL::date", "'2024-02-29'::date"},
}

// Every declared table's decoder reads exactly what pgx's Scan reads, row by row, through an
// extended-protocol query as the pool sends it; rows it cannot read (a year out of its range)
// it leaves to Scan, and it reads the others itself.
func TestColumnsDecodeAsScan(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	if len(declared) < 30 {
		t.Fatalf("only %d tables of columns declared", len(declared))
	}
	for i, d := range declared {
		for _, pass := range []map[colKind][]string{samples, dates} {
			own, rows := read(t, ctx, conn, d, pass)
			if own < rows-2 {
				t.Errorf("table %d: the decoder read %d of %d rows itself", i, own, rows)
			}
		}
	}
}

// read selects the sample rows of d's kinds and compares the two readings of each; it gives
// how many rows the decoder read itself.
func read(t *testing.T, ctx context.Context, conn *pgx.Conn, d readBoth, pass map[colKind][]string) (own, n int) {
	t.Helper()
	var selects []string
	for row := range 4 {
		var vals []string
		for _, k := range d.kindsOf() {
			vs := pass[k]
			if vs == nil {
				vs = samples[k]
			}
			vals = append(vals, vs[row])
		}
		selects = append(selects, "SELECT "+strings.Join(vals, ", "))
	}
	rows, err := conn.Query(ctx, strings.Join(selects, " UNION ALL "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		n++
		mine, ok, scanned, err := d.both(rows)
		if err != nil {
			if ok {
				t.Fatalf("row %d: Scan refused what the decoder read: %v", n, err)
			}
			continue
		}
		if ok {
			own++
			if !reflect.DeepEqual(mine, scanned) {
				t.Fatalf("row %d: decoder %s, Scan %s", n, show(mine), show(scanned))
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return own, n
}

func show(v any) string { return fmt.Sprintf("%+v", reflect.ValueOf(v).Elem().Interface()) }

// connect opens a connection to the configured Postgres for the test (dbtest imports store,
// so an internal test of store cannot use it).
func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	cfg, err := config.From(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), cfg.PGURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
