package resolvers

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"gridgov/resolvers/scalar"
	"gridgov/store"
)

// The fast writer's own scalar writers give gqlgen's bytes.
func TestFastScalarsMatchGqlgen(t *testing.T) {
	w := &fastWriter{}
	same := func(what string, write func(), want graphql.Marshaler) {
		t.Helper()
		w.buf.Reset()
		write()
		var b bytes.Buffer
		want.MarshalGQL(&b)
		if w.buf.String() != b.String() {
			t.Errorf("%s: fast path %s, gqlgen %s", what, w.buf.String(), b.String())
		}
	}
	for _, s := range []string{"", "plain", "楼道漏水", `say "hi"`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f\x7f", "<&>\u2028", "\xff\xfe"} {
		same(strconv.Quote(s), func() { w.str(s) }, graphql.MarshalString(s))
	}
	for _, n := range []int64{0, -1, 42, 1 << 62, -1 << 63} {
		same(strconv.FormatInt(n, 10), func() { w.int64(n) }, graphql.MarshalInt64(n))
	}
	for _, b := range []bool{true, false} {
		same(strconv.FormatBool(b), func() { w.boolean(b) }, graphql.MarshalBoolean(b))
	}
	for _, e := range []store.Enum{"open", "in_progress", "CLOSED", "x2_y", "", "not plain-value", "引号\""} {
		same(string(e), func() { w.enum(e) }, graphql.MarshalString(strings.ToUpper(string(e))))
	}
	cst := time.FixedZone("CST", 8*3600)
	for _, ts := range []time.Time{{}, time.Date(2026, 11, 27, 8, 30, 0, 0, cst), time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.Local)} {
		same(ts.String(), func() { w.time(ts) }, scalar.MarshalDateTime(ts))
	}
}
