package resolvers_test

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"gridgov/resolvers/scalar"
)

// spec is a list filter built from fuzz input: the GraphQL value, the rows it keeps (the
// oracle), whether the server must refuse it, and whether the oracle can judge its search text.
type spec struct {
	filter map[string]any
	keep   []func(fuzzRow) bool
	bad    bool // a value the server must refuse with BAD_USER_INPUT
	loose  bool // a search text the oracle does not judge: results need only meet the rest
}

func (s *spec) add(field string, v any, keep func(fuzzRow) bool) {
	s.filter[field] = v
	if keep != nil {
		s.keep = append(s.keep, keep)
	}
}

// states picks the states of mask's bits; the bit after the last alone sends an empty list.
func (s *spec) states(mask uint16, names []string) {
	var picked []string
	for i, n := range names {
		if mask&(1<<i) != 0 {
			picked = append(picked, n)
		}
	}
	switch {
	case len(picked) > 0:
		s.add("states", picked, func(r fuzzRow) bool { return slices.Contains(picked, strings.ToUpper(r.state)) })
	case mask&(1<<len(names)) != 0:
		s.add("states", []string{}, nil)
	}
}

// ids picks ids of pool by mask's bits; the next bit adds an id nobody has, the one after an
// id of another type (refused).
func (s *spec) ids(field, typ string, mask uint8, pool []int64, get func(fuzzRow) int64) {
	var vals []string
	var want []int64
	for i, id := range pool {
		if mask&(1<<i) != 0 {
			vals, want = append(vals, gid(typ, id)), append(want, id)
		}
	}
	if mask&(1<<len(pool)) != 0 {
		vals = append(vals, gid(typ, 1<<40))
	}
	if mask&(1<<(len(pool)+1)) != 0 {
		vals, s.bad = append(vals, gid("Audit", 1)), true
	}
	if len(vals) > 0 {
		s.add(field, vals, func(r fuzzRow) bool { return slices.Contains(want, get(r)) })
	}
}

// ref sets a one-id condition: idx < 0 leaves it out, else it picks from pool, then an id
// nobody has, then an id of another type (refused).
func (s *spec) ref(field, typ string, idx int8, pool []int64, get func(fuzzRow) *int64) {
	if idx < 0 {
		return
	}
	switch i := int(idx) % (len(pool) + 2); {
	case i < len(pool):
		id := pool[i]
		s.add(field, gid(typ, id), func(r fuzzRow) bool { p := get(r); return p != nil && *p == id })
	case i == len(pool):
		s.add(field, gid(typ, 1<<40), func(fuzzRow) bool { return false })
	default:
		s.add(field, gid("Audit", 1), nil)
		s.bad = true
	}
}

// place narrows to a street, a community, a grid, or all three at once (p%5), picked by p/5
// (one past the last: a place nobody is in).
func (s *spec) place(p uint8, c *fuzzCity) {
	levels := []struct {
		field, typ string
		pool       []int64
		get        func(fuzzRow) int64
	}{{"streetId", "Street", c.streets, func(r fuzzRow) int64 { return r.street }},
		{"communityId", "Community", c.communities, func(r fuzzRow) int64 { return r.community }},
		{"gridId", "Grid", c.grids, func(r fuzzRow) int64 { return r.grid }}}
	level := int(p % 5)
	if level == 0 {
		return
	}
	if level <= 3 {
		levels = levels[level-1 : level]
	}
	scope := map[string]any{}
	for _, l := range levels {
		id := int64(1 << 40)
		if i := int(p/5) % (len(l.pool) + 1); i < len(l.pool) {
			id = l.pool[i]
		}
		scope[l.field] = gid(l.typ, id)
		s.keep = append(s.keep, func(r fuzzRow) bool { return l.get(r) == id })
	}
	s.filter["place"] = scope
}

// given reads a fuzz string as an optional value: "" leaves it out, and a leading "=" is
// dropped so that "=" sends the empty string.
func given(v string) (string, bool) {
	return strings.TrimPrefix(v, "="), v != ""
}

// instant parses a DateTime as the server does, to the microsecond Postgres keeps.
func (s *spec) instant(v string) (time.Time, bool) {
	t, err := scalar.UnmarshalDateTime(v)
	if err != nil {
		s.bad = true
		return t, false
	}
	return t.Truncate(time.Microsecond), true
}

// period sets a DateTimeRange on the rows' time: from inclusive, to exclusive.
func (s *spec) period(field, from, to string) {
	r := map[string]any{}
	if v, ok := given(from); ok {
		r["from"] = v
		if t, ok := s.instant(v); ok {
			s.keep = append(s.keep, func(x fuzzRow) bool { return !x.at.Before(t) })
		}
	}
	if v, ok := given(to); ok {
		r["to"] = v
		if t, ok := s.instant(v); ok {
			s.keep = append(s.keep, func(x fuzzRow) bool { return x.at.Before(t) })
		}
	}
	if len(r) > 0 {
		s.filter[field] = r
	}
}

// text sets the search: a case-insensitive substring of the title or the description.
func (s *spec) text(v string) {
	v, ok := given(v)
	if !ok {
		return
	}
	s.filter["search"] = v
	if strings.ContainsRune(v, 0) { // U+0000 cannot be stored in text, so no search may hold it
		s.bad = true
		return
	}
	q := strings.TrimSpace(v)
	switch {
	case q == "":
	case strings.IndexFunc(q, func(r rune) bool { return (r < 0x20 || r > 0x7e) && !unicode.Is(unicode.Han, r) }) >= 0:
		s.loose = true // case folding beyond ASCII, control characters: Postgres decides
	default:
		lq := strings.ToLower(q)
		s.keep = append(s.keep, func(r fuzzRow) bool {
			return strings.Contains(strings.ToLower(r.title), lq) || strings.Contains(strings.ToLower(r.description), lq)
		})
	}
}

// flag sets a boolean condition from v%3: left out, true or false.
func (s *spec) flag(field string, v uint8, holds func(fuzzRow) bool) {
	if v%3 == 0 {
		return
	}
	want := v%3 == 1
	s.add(field, want, func(r fuzzRow) bool { return holds(r) == want })
}

var farFuture = time.Date(1<<20, 1, 1, 0, 0, 0, 0, time.UTC) // 'infinity' for a missing due date

// ordering is how a list sorts: by a time, then the id, one way or the other.
type ordering struct {
	key  func(fuzzRow) time.Time
	desc bool
}

func (o ordering) less(a, b fuzzRow) int {
	c := cmp.Or(o.key(a).Compare(o.key(b)), cmp.Compare(a.id, b.id))
	if o.desc {
		return -c
	}
	return c
}

// expect gives the live rows the spec keeps, in order.
func (s *spec) expect(rows []fuzzRow, o ordering) []fuzzRow {
	var out []fuzzRow
	for _, r := range rows {
		if !r.deleted && !slices.ContainsFunc(s.keep, func(k func(fuzzRow) bool) bool { return !k(r) }) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, o.less)
	return out
}

// page is the part of a connection the fuzz targets read.
type page struct {
	L struct {
		TotalCount int
		Edges      []struct{ Node struct{ ID string } }
	}
}

func (p page) ids(t *testing.T) []int64 {
	out := make([]int64, len(p.L.Edges))
	for i, e := range p.L.Edges {
		out[i] = mustRowID(t, e.Node.ID)
	}
	return out
}

// checkList holds an answer to the oracle: refused with BAD_USER_INPUT when the spec is bad;
// else the total and the first page exactly as the oracle has them (with a search text it
// does not judge, a subset of them in order).
func checkList(t *testing.T, s *spec, a fuzzAnswer, rows []fuzzRow, o ordering, first int) {
	t.Helper()
	if s.bad || first < 0 || first > 100 {
		if len(a.Errors) == 0 || slices.ContainsFunc(a.codes(), func(c string) bool { return c != "BAD_USER_INPUT" }) {
			t.Fatalf("want BAD_USER_INPUT for %v first %d, got %s %v", s.filter, first, a.Data, a.codes())
		}
		return
	}
	if len(a.Errors) > 0 {
		t.Fatalf("filter %v first %d refused: %v %s", s.filter, first, a.codes(), a.Errors[0].Message)
	}
	var p page
	if err := json.Unmarshal(a.Data, &p); err != nil {
		t.Fatal(err)
	}
	want := s.expect(rows, o)
	var wantIDs []int64
	for _, r := range want[:min(first, len(want))] {
		wantIDs = append(wantIDs, r.id)
	}
	got := p.ids(t)
	if s.loose {
		if p.L.TotalCount > len(want) || len(got) > first || !isSubsequence(got, want) {
			t.Fatalf("filter %v: %d of %d, ids %v are not among the rows the rest of the filter keeps, in order", s.filter, len(got), p.L.TotalCount, got)
		}
		return
	}
	if p.L.TotalCount != len(want) || !slices.Equal(got, wantIDs) {
		t.Fatalf("filter %v first %d: total %d ids %v, want total %d ids %v", s.filter, first, p.L.TotalCount, got, len(want), wantIDs)
	}
}

func isSubsequence(ids []int64, rows []fuzzRow) bool {
	j := 0
	for _, id := range ids {
		for j < len(rows) && rows[j].id != id {
			j++
		}
		if j == len(rows) {
			return false
		}
		j++
	}
	return true
}

const issueListQuery = `query($f: IssueFilter, $o: IssueOrder, $n: Int) {
  l: issues(filter: $f, orderBy: $o, first: $n) { totalCount edges { node { id } } } }`

var (
	issueStates = []string{"REPORTED", "ACCEPTED", "DISPATCHED", "IN_PROGRESS", "ESCALATED", "RETURNED", "RESOLVED", "CLOSED", "REOPENED"}
	orderStates = []string{"POSTED", "PUBLISHED", "CLAIMED", "COMPLETED", "RATED", "CANCELLED"}
)

func openIssue(r fuzzRow) bool { return r.state != "resolved" && r.state != "closed" }

// issueOrdering reads o: o%4 is the field (0: none given, newest reported first), o/4%2 the direction.
func issueOrdering(o uint8) (any, ordering) {
	keys := []func(fuzzRow) time.Time{
		func(r fuzzRow) time.Time { return r.at }, func(r fuzzRow) time.Time { return r.at },
		func(r fuzzRow) time.Time {
			if r.due == nil {
				return farFuture
			}
			return *r.due
		},
		func(r fuzzRow) time.Time { return r.updated },
	}
	field, desc := int(o%4), o/4%2 == 1
	if field == 0 {
		return nil, ordering{keys[0], true}
	}
	dir := map[bool]string{false: "ASC", true: "DESC"}[desc]
	return map[string]any{"field": []string{"", "REPORTED_AT", "DUE_AT", "UPDATED_AT"}[field], "direction": dir}, ordering{keys[field], desc}
}

// FuzzIssueFilter sends the issue register every combination of its filter the fuzzer makes
// (states, categories, places, building, reporter, handler, reported range, due date, search,
// overdue, open, dispute), in every order and page size, through the real handler against
// the fuzz city in Postgres: never a 5xx or INTERNAL, every error coded, BAD_USER_INPUT
// exactly when a value is malformed, and otherwise the total and the first page exactly those
// an independent reading of the rows gives.
func FuzzIssueFilter(f *testing.F) {
	c := newFuzzCity(f)
	f.Add(uint16(0), uint8(0), uint8(0), int8(-1), int8(-1), int8(-1), "", "", "", "", uint8(0), uint8(0), int8(20))
	f.Add(uint16(0b11), uint8(0b101), uint8(8), int8(1), int8(-1), int8(3), "2024-03-01T00:00:00Z", "=2025-01-01T00:00:00+08:00", "", "道路", uint8(1), uint8(6), int8(50))
	f.Add(uint16(0x1ff), uint8(0b100000), uint8(19), int8(-1), int8(41), int8(40), "yesterday", "", "2026-01-01T00:00:00Z", " 50% ", uint8(2+3*2+9), uint8(2), int8(100))
	f.Fuzz(func(t *testing.T, states uint16, cats, place uint8, building, reporter, handler int8, from, to, due, search string, flags, order uint8, first int8) {
		s := &spec{filter: map[string]any{}}
		s.states(states, issueStates)
		s.ids("categoryIds", "IssueCategory", cats, c.issueCats, func(r fuzzRow) int64 { return r.category })
		s.place(place, c)
		s.ref("buildingId", "Building", building, c.buildings, func(r fuzzRow) *int64 { return r.building })
		s.ref("reporterId", "Person", reporter, c.people, func(r fuzzRow) *int64 { return &r.person })
		s.ref("handlerId", "Person", handler, c.people, func(r fuzzRow) *int64 { return r.handler })
		s.period("reported", from, to)
		if v, ok := given(due); ok {
			s.filter["dueBefore"] = v
			if d, ok := s.instant(v); ok {
				s.keep = append(s.keep, func(r fuzzRow) bool { return r.due != nil && r.due.Before(d) })
			}
		}
		s.text(search)
		now := time.Now()
		s.flag("overdue", flags, func(r fuzzRow) bool { return openIssue(r) && r.due != nil && r.due.Before(now) })
		s.flag("open", flags/3, openIssue)
		s.flag("isDispute", flags/9, func(r fuzzRow) bool { return r.dispute })
		orderBy, o := issueOrdering(order)
		a := c.ask(t, issueListQuery, map[string]any{"f": s.filter, "o": orderBy, "n": int(first)})
		checkList(t, s, a, c.issues, o, int(first))
	})
}

const orderListQuery = `query($f: ServiceOrderFilter, $d: SortDirection, $n: Int) {
  l: serviceOrders(filter: $f, direction: $d, first: $n) { totalCount edges { node { id } } } }`

// FuzzOrderFilter is FuzzIssueFilter for service orders: states, categories, places, posted
// range, search, resident and claiming member, either direction.
func FuzzOrderFilter(f *testing.F) {
	c := newFuzzCity(f)
	f.Add(uint8(0), uint8(0), uint8(0), int8(-1), int8(-1), "", "", "", uint8(0), int8(20))
	f.Add(uint8(0b110), uint8(0b11), uint8(12), int8(3), int8(2), "2024-04-01T00:00:00Z", "2024-09-01T00:00:00Z", "leak", uint8(1), int8(30))
	f.Add(uint8(0b1000000), uint8(0b10000), uint8(4), int8(40), int8(9), "=", "", "MIXED case", uint8(2), int8(-1))
	f.Fuzz(func(t *testing.T, states, cats, place uint8, resident, claimer int8, from, to, search string, direction uint8, first int8) {
		s := &spec{filter: map[string]any{}}
		s.states(uint16(states), orderStates)
		s.ids("categoryIds", "ServiceCategory", cats, c.serviceCats, func(r fuzzRow) int64 { return r.category })
		s.place(place, c)
		s.ref("residentId", "Person", resident, c.people, func(r fuzzRow) *int64 { return &r.person })
		s.ref("claimedById", "PartyMember", claimer, c.members, func(r fuzzRow) *int64 { return r.handler })
		s.period("posted", from, to)
		s.text(search)
		o := ordering{func(r fuzzRow) time.Time { return r.at }, direction%3 != 1}
		dir := []any{nil, "ASC", "DESC"}[direction%3]
		a := c.ask(t, orderListQuery, map[string]any{"f": s.filter, "d": dir, "n": int(first)})
		checkList(t, s, a, c.orders, o, int(first))
	})
}
