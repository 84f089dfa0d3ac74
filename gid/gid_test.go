package gid_test

import (
	"testing"

	"gridgov/gid"
)

func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		typ string
		id  int64
	}{{"Issue", 1}, {"Community", 37}, {"Grid", 1 << 40}} {
		typ, id, ok := gid.Decode(gid.Encode(c.typ, c.id))
		if !ok || typ != c.typ || id != c.id {
			t.Errorf("%s:%d decoded as %s:%d ok=%v", c.typ, c.id, typ, id, ok)
		}
	}
}

func TestDecodeRefusesMalformed(t *testing.T) {
	for _, s := range []string{"", "!!!", "SXNzdWU", "SXNzdWU6", "SXNzdWU6LTE", "SXNzdWU6MA", "OjE", "SXNzdWU6eA",
		"SXNzdWU6OTIyMzM3MjAzNjg1NDc3NTgwOA"} { // "Issue", "Issue:", "Issue:-1", "Issue:0", ":1", "Issue:x", overflow
		if typ, id, ok := gid.Decode(s); ok {
			t.Errorf("%q decoded as %s:%d", s, typ, id)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(gid.Encode("Issue", 7))
	f.Add("not base64")
	f.Fuzz(func(t *testing.T, s string) {
		typ, id, ok := gid.Decode(s)
		if !ok {
			return
		}
		if id <= 0 || typ == "" {
			t.Fatalf("%q decoded as %s:%d", s, typ, id)
		}
		if t2, i2, ok2 := gid.Decode(gid.Encode(typ, id)); !ok2 || t2 != typ || i2 != id {
			t.Errorf("%q → %s:%d does not round-trip", s, typ, id)
		}
	})
}
