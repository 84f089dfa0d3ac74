package resolvers_test

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"
)

// pagedList is a list the cursor fuzz target pages through, and how its rows sort (nil:
// not judged by an oracle).
type pagedList struct {
	field, args string
	rows        []fuzzRow
	order       *ordering
}

func pagedLists(c *fuzzCity) []pagedList {
	at := func(r fuzzRow) time.Time { return r.at }
	_, dueDesc := issueOrdering(6)
	return []pagedList{
		{"issues", `orderBy: {field: REPORTED_AT, direction: ASC}`, c.issues, &ordering{at, false}},
		{"issues", `orderBy: {field: DUE_AT, direction: DESC}`, c.issues, &dueDesc},
		{"issues", `orderBy: {field: UPDATED_AT, direction: ASC}`, c.issues, &ordering{func(r fuzzRow) time.Time { return r.updated }, false}},
		{"issues", `filter: {}`, c.issues, &ordering{at, true}},
		{"serviceOrders", `direction: ASC`, c.orders, &ordering{at, false}},
		{"partyMembers", `orderBy: {field: NAME, direction: ASC}`, nil, nil},
		{"residents", `filter: {}`, nil, nil}, // sorted by NAME too, but another list
	}
}

// query pages list from cursor $c: forward (first/after) or backward (last/before).
func (l pagedList) query(backward bool) string {
	count, from := "first", "after"
	if backward {
		count, from = "last", "before"
	}
	return fmt.Sprintf(`query($c: String, $n: Int) { l: %s(%s, %s: $n, %s: $c) { totalCount edges { cursor node { id } } } }`,
		l.field, l.args, count, from)
}

// cursorTemplate decodes the first cursor a list gives: base64url of a JSON object whose "k"
// is the sort value and "i" the row id.
func cursorTemplate(f *testing.F, c *fuzzCity, l pagedList) map[string]any {
	a := c.ask(f, l.query(false), map[string]any{"n": 1})
	var p struct {
		L struct{ Edges []struct{ Cursor string } }
	}
	if err := json.Unmarshal(a.Data, &p); err != nil || len(p.L.Edges) != 1 {
		f.Fatalf("%s: no first cursor: %s %v", l.field, a.Data, a.codes())
	}
	raw, err := base64.RawURLEncoding.DecodeString(p.L.Edges[0].Cursor)
	m := map[string]any{}
	if err != nil || json.Unmarshal(raw, &m) != nil || m["k"] == nil || m["i"] == nil {
		f.Fatalf("%s: cursor %q is not base64url JSON with k and i: the fuzz target needs updating", l.field, p.L.Edges[0].Cursor)
	}
	return m
}

// forge makes a cursor like template, with the sort value key and the row id id.
func forge(template map[string]any, key string, id int64) string {
	m := map[string]any{}
	for k, v := range template {
		m[k] = v
	}
	m["k"], m["i"] = key, id
	b, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

// FuzzCursorPaging pages lists from cursors the fuzzer makes, through the real handler against
// the fuzz city in Postgres: raw strings, and well-formed cursors with any sort value and
// row id, of this list's order or another's (or another list's of the same order), forward
// and backward. Never a 5xx or INTERNAL, every error coded; a cursor of another list or
// order, a row id below 1 or a page size beyond 0–100 is BAD_USER_INPUT; any other refusal
// is BAD_USER_INPUT too (a sort value Postgres cannot read as the column's type); and a
// cursor whose sort value is an RFC 3339 instant gives exactly the rows an independent
// reading puts after (before) it.
func FuzzCursorPaging(f *testing.F) {
	c := newFuzzCity(f)
	lists := pagedLists(c)
	templates := make([]map[string]any, len(lists))
	for i, l := range lists {
		templates[i] = cursorTemplate(f, c, l)
	}
	f.Add(uint8(0), "2024-06-01T10:00:00Z", int64(5), "", uint8(0), false, int8(10))
	f.Add(uint8(1), "infinity", int64(1<<40), "", uint8(1), true, int8(100))
	f.Add(uint8(5), "王", int64(3), "", uint8(5), false, int8(5))
	f.Add(uint8(3), "", int64(0), "not-a-cursor", uint8(3), true, int8(1))
	f.Add(uint8(6), "居民1", int64(2), "", uint8(5), false, int8(5)) // a party members' cursor on residents
	f.Fuzz(func(t *testing.T, list uint8, key string, id int64, raw string, other uint8, backward bool, n int8) {
		li, oi := int(list)%len(lists), int(other)%len(lists)
		l, cur := lists[li], raw
		if raw == "" {
			cur = forge(templates[oi], key, id)
		}
		a := c.ask(t, l.query(backward), map[string]any{"c": cur, "n": int(n)})
		mustRefuse := raw == "" && (oi != li || id <= 0) || n < 0 || n > 100
		if len(a.Errors) > 0 || mustRefuse {
			if len(a.Errors) == 0 || slices.ContainsFunc(a.codes(), func(c string) bool { return c != "BAD_USER_INPUT" }) {
				t.Fatalf("%s from %q: want BAD_USER_INPUT, got %s %v", l.field, cur, a.Data, a.codes())
			}
			return
		}
		kt, err := time.Parse(time.RFC3339Nano, key)
		if raw != "" || l.order == nil || err != nil || kt.Year() < 1 || !kt.Equal(kt.Truncate(time.Microsecond)) {
			return // not judged: Postgres reads the value its own way
		}
		var p page
		if err := json.Unmarshal(a.Data, &p); err != nil {
			t.Fatal(err)
		}
		if got, want := p.ids(t), l.around(kt, id, backward, int(n)); !slices.Equal(got, want) {
			t.Fatalf("%s %s from (%s, %d), backward %v: ids %v, want %v", l.field, l.args, key, id, backward, got, want)
		}
	})
}

// around gives the ids of the n live rows after (backward: before) the position (key, id).
func (l pagedList) around(key time.Time, id int64, backward bool, n int) []int64 {
	rows := slices.Clone(l.rows)
	slices.SortFunc(rows, l.order.less)
	var out []int64
	for _, r := range rows {
		c := cmp.Or(l.order.key(r).Compare(key), cmp.Compare(r.id, id))
		if l.order.desc {
			c = -c
		}
		if !r.deleted && (c > 0) != backward && c != 0 {
			out = append(out, r.id)
		}
	}
	if backward {
		return out[max(0, len(out)-n):]
	}
	return out[:min(n, len(out))]
}
