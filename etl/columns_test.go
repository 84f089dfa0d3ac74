package etl

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"gridgov/dbtest"
	"gridgov/warehouse"
)

// The fast decoders (columns.go) must give exactly what the slow path — pgx's own decoding
// and the converter — gives: the same values and the same refusals, for every Postgres type
// they take and the warehouse types it feeds.
func TestFastDecodersMatchTheConverters(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	cases := []struct{ sql, chType string }{
		{"7::int2", "UInt8"}, {"300::int4", "UInt8"}, {"-5::int8", "UInt64"}, {"-5::int8", "Int16"},
		{"40000::int4", "Int16"}, {"9000000000::int8", "UInt32"}, {"9000000000::int8", "Int64"},
		{"true", "UInt8"}, {"false", "UInt8"}, {"NULL::int8", "Nullable(UInt64)"}, {"NULL::int8", "UInt64"},
		{"'x'::text", "String"}, {"''::text", "String"}, {"'é ☃'::varchar", "Nullable(String)"},
		{"NULL::text", "Nullable(String)"}, {"NULL::text", "String"},
		{"'2026-01-02 03:04:05.678+08'::timestamptz", "DateTime('Asia/Shanghai')"},
		{"'1970-01-01 00:00:00.5+00'::timestamptz", "DateTime"},
		{"'1969-12-31 23:59:59.5+00'::timestamptz", "DateTime"},
		{"'2106-02-07 06:28:15+00'::timestamptz", "DateTime"}, {"'2106-02-07 06:28:14.9+00'::timestamptz", "DateTime"},
		{"'infinity'::timestamptz", "DateTime"}, {"'2026-01-02 03:04:05'::timestamp", "Nullable(DateTime('Asia/Shanghai'))"},
		{"'2026-01-02'::date", "Date"}, {"'1960-01-01'::date", "Date"}, {"'2149-06-06'::date", "Nullable(Date)"},
		{"'2149-06-05'::date", "Date"}, {"'infinity'::date", "Date"},
		{"12.50::numeric(12,2)", "Decimal(12, 2)"}, {"5::numeric", "UInt16"},
		{"42::int8", "UInt64"}, // as a pseudonymous key below
	}
	p := NewPseudonymizer(DevPseudonymKey)
	for i, c := range cases {
		name := "col"
		if i == len(cases)-1 {
			name = "person_key"
		}
		rows, err := pool.Query(ctx, "SELECT "+c.sql)
		if err != nil {
			t.Fatal(err)
		}
		if !rows.Next() {
			t.Fatal(rows.Err())
		}
		raw := rows.RawValues()[0]
		if raw != nil {
			raw = append([]byte(nil), raw...)
		}
		fd := rows.FieldDescriptions()[0]
		m := rows.Conn().TypeMap()
		rows.Close()

		conv, err := converterFor(name, c.chType, p)
		if err != nil {
			t.Fatal(err)
		}
		spec, err := newColSpec(warehouse.Column{Name: name, Type: c.chType}, conv)
		if err != nil {
			t.Fatal(err)
		}
		decode := func(dec decoder) (colData, error) {
			var d colData
			switch {
			case raw != nil:
				return d, dec(&d, raw)
			case spec.nullable:
				d.putNull(&spec)
				return d, nil
			}
			_, err := spec.conv(nil)
			return d, err
		}
		fast, fastErr := decode(decoderFor(&spec, fd, m, p.keyer()))
		slow, slowErr := decode(slowDecoder(&spec, fd, m))
		// Both refuse an infinite time; the fast path says so more plainly.
		sameText := strings.Contains(c.sql, "infinity") || fastErr == nil || fastErr.Error() == slowErr.Error()
		if (fastErr == nil) != (slowErr == nil) || !sameText {
			t.Errorf("%s into %s: fast error %v, slow error %v", c.sql, c.chType, fastErr, slowErr)
			continue
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s into %s: fast %+v, slow %+v", c.sql, c.chType, fast, slow)
		}
	}
}
