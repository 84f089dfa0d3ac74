package store

import (
	"context"
	"os"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"gridgov/config"
)

// The hand decoders (rawrow.go) read exactly what pgx's Scan reads. Each case selects
// literal rows of the decoder's column types — every nullable column both NULL and set,
// timestamps at the edges of the decoded range and beyond it — through an extended-protocol
// query like the pool's, and compares the decoder's row with Scan's.
func TestHandDecodersMatchScan(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)

	const times = `('2026-11-27 10:11:12.345678+08'), ('0001-01-01 00:00:00+00'), ('9999-12-31 23:59:59.999999+00'),
		('1999-12-31 23:59:59.999999+00'), ('2000-01-01 00:00:00+00'), ('4713-01-01 BC')`
	cases := []struct {
		name     string
		sql      string
		oids     []uint32
		decode   func([][]byte) (any, bool)
		fast     func(pgx.Row) (any, error)
		slow     func(pgx.Row) (any, error)
		fastRead int // rows the decoder must read itself (the rest go to Scan)
	}{
		{"issue", `SELECT 1::bigint, 2::bigint, 3::bigint, 4::bigint, b, 6::bigint, '标题 "quoted"', '', 9::bigint,
			'grid_worker', 'dispatched', hk, hp, hu, el, t1, t2, t3, t4, res, q, d, o, 24::bigint, t5
			FROM (VALUES (NULL::bigint, NULL::text, NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::float8, false, NULL::text),
			             (5, 'cadre', 12, 13, 'street', '已解决', 2.5, true, 'mediated')) v(b, hk, hp, hu, el, res, q, d, o)
			CROSS JOIN (VALUES
			  ('2026-11-27 10:11:12.345678+08'::timestamptz, '2026-11-28 01:00:00+08'::timestamptz, '2026-11-29 02:00:00.5+08'::timestamptz,
			   '1970-01-01 00:00:00+00'::timestamptz, '2026-12-01 03:00:00.000001+08'::timestamptz),
			  ('0001-01-01 00:00:00+00', '9999-12-31 23:59:59.999999+00', '1999-12-31 23:59:59.999999+00', '2000-01-01 00:00:00+00',
			   '1969-12-31 23:59:59.999999+00'),
			  ('2026-11-27 10:11:12+08', '2026-11-27 10:11:13+08', '4713-01-01 BC', '2026-11-27 10:11:14+08', '2026-11-27 10:11:15+08')
			) tt(t1, t2, t3, t4, t5)`,
			issueOIDs, anyDecode(decodeIssue), anyScan(scanIssue), anyScan(scanIssueSlow), 4},
		{"issue event", `SELECT 1::bigint, 2::bigint, a, 'cadre', 'dispatch', f, 'dispatched', 'note \ with backslash', t::timestamptz
			FROM (VALUES (NULL::bigint, NULL::text), (7, 'accepted')) v(a, f) CROSS JOIN (VALUES ` + times + `) tt(t)`,
			issueEventOIDs, anyDecode(decodeIssueEvent), anyScan(scanIssueEvent), anyScan(scanIssueEventSlow), 10},
		{"person", `SELECT 1::bigint, '张三', g, p, i, a, s, c, gr, b, 11::bigint FROM (VALUES
			(NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint),
			('female', '13800000000', '340181199001011234', '3单元502', 1, 2, 3, 4)) v(g, p, i, a, s, c, gr, b)`,
			personOIDs, anyDecode(decodePerson), anyScan(scanPerson), anyScan(scanPersonSlow), 2},
		{"related person", `SELECT 1::bigint, '李四', NULL::text, '13900000000', NULL, NULL, 1::bigint, NULL::bigint, NULL::bigint,
			NULL::bigint, 3::bigint, v FROM (VALUES (true), (false)) x(v)`,
			relatedPersonOIDs, anyDecode(decodeRelatedPerson), anyScan(scanRelatedPerson), anyScan(scanRelatedPersonSlow), 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := conn.Query(ctx, c.sql)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n, decodedRows := 0, 0
			for rows.Next() {
				n++
				vals, ok := binaryRow(rows, c.oids)
				if !ok {
					t.Fatalf("row %d: the columns do not arrive as the decoder expects", n)
				}
				own, whole := c.decode(vals)
				fast, fastErr := c.fast(rows)
				slow, slowErr := c.slow(rows)
				if whole {
					decodedRows++
					if !reflect.DeepEqual(own, fast) {
						t.Fatalf("row %d: the scan did not return the decoder's row", n)
					}
				}
				if (fastErr == nil) != (slowErr == nil) || !reflect.DeepEqual(fast, slow) {
					t.Fatalf("row %d: decoder %+v (%v), Scan %+v (%v)", n, fast, fastErr, slow, slowErr)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if decodedRows != c.fastRead {
				t.Errorf("the decoder read %d of %d rows itself, want %d", decodedRows, n, c.fastRead)
			}
		})
	}
}

func anyDecode[T any](decode func([][]byte) (T, bool)) func([][]byte) (any, bool) {
	return func(vals [][]byte) (any, bool) { return decode(vals) }
}

func anyScan[T any](scan func(pgx.Row) (T, error)) func(pgx.Row) (any, error) {
	return func(r pgx.Row) (any, error) { return scan(r) }
}

// A value Scan refuses (an infinite timestamp into a time.Time) is refused the same way.
func TestHandDecoderLeavesRefusalsToScan(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	read := func(scan func(pgx.Row) (*IssueEvent, error)) error {
		rows, err := conn.Query(ctx, `SELECT 1::bigint, 2::bigint, NULL::bigint, 'cadre', 'dispatch', NULL::text,
			'dispatched', '', 'infinity'::timestamptz`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatal("no row")
		}
		_, err = scan(rows)
		return err
	}
	fast, slow := read(scanIssueEvent), read(scanIssueEventSlow)
	if fast == nil || slow == nil || fast.Error() != slow.Error() {
		t.Fatalf("decoder: %v; Scan: %v", fast, slow)
	}
}

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
