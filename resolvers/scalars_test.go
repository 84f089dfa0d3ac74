package resolvers

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"gridgov/resolvers/scalar"
)

// The executor's own scalar writers give gqlgen's bytes.
func TestScalarsMatchGqlgen(t *testing.T) {
	x := &exec{}
	same := func(what string, write func(), want graphql.Marshaler) {
		t.Helper()
		x.buf.Reset()
		write()
		var b bytes.Buffer
		want.MarshalGQL(&b)
		if x.buf.String() != b.String() {
			t.Errorf("%s: executor %s, gqlgen %s", what, x.buf.String(), b.String())
		}
	}
	for _, s := range []string{"", "plain", "楼道漏水", `say "hi"`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f\x7f", "<&>\u2028", "\xff\xfe"} {
		same(strconv.Quote(s), func() { x.str(s) }, graphql.MarshalString(s))
	}
	for _, s := range []string{"SXNzdWU6MQ", "UGVyc29uOjEyMzQ1Ng"} {
		same(s, func() { x.id(s) }, graphql.MarshalID(s))
	}
	for _, n := range []int64{0, -1, 42, 1 << 62, -1 << 63} {
		same(strconv.FormatInt(n, 10), func() { x.int64(n) }, graphql.MarshalInt64(n))
	}
	for _, f := range []float64{0, -1.5, 1e21, 1e-7, 123456789.125, math.MaxFloat64, 2.0 / 3} {
		same(strconv.FormatFloat(f, 'g', -1, 64), func() { x.float(f) }, graphql.MarshalFloat(f))
	}
	for _, b := range []bool{true, false} {
		same(strconv.FormatBool(b), func() { x.boolean(b) }, graphql.MarshalBoolean(b))
	}
	for _, e := range []string{"open", "in_progress", "CLOSED", "x2_y", ""} {
		same(e, func() { x.enum(e) }, graphql.MarshalString(strings.ToUpper(e)))
	}
	cst := time.FixedZone("CST", 8*3600)
	for _, ts := range []time.Time{{}, time.Date(2026, 11, 27, 8, 30, 0, 0, cst), time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.Local)} {
		same(ts.String(), func() { x.time(ts) }, scalar.MarshalDateTime(ts))
	}
	for _, d := range []time.Time{time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Date(1999, 1, 2, 0, 0, 0, 0, cst)} {
		same(d.String(), func() { x.date(d) }, scalar.MarshalDate(d))
	}
}
