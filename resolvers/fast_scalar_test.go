package resolvers

import (
	"bytes"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"gridgov/resolvers/scalar"
)

// The fast writer's own String and DateTime writers give gqlgen's bytes.
func TestFastScalarsMatchGqlgen(t *testing.T) {
	w := &fastWriter{}
	for _, s := range []string{"", "plain", "楼道漏水", `say "hi"`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f\x7f", "<&>\u2028", "\xff\xfe"} {
		w.buf.Reset()
		w.str(s)
		var want bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&want)
		if w.buf.String() != want.String() {
			t.Errorf("str(%q) = %s, gqlgen %s", s, w.buf.String(), want.String())
		}
	}
	cst := time.FixedZone("CST", 8*3600)
	for _, ts := range []time.Time{{}, time.Date(2026, 11, 27, 8, 30, 0, 0, cst), time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.Local)} {
		w.buf.Reset()
		w.time(ts)
		var want bytes.Buffer
		scalar.MarshalDateTime(ts).MarshalGQL(&want)
		if w.buf.String() != want.String() {
			t.Errorf("time(%v) = %s, gqlgen %s", ts, w.buf.String(), want.String())
		}
	}
}
