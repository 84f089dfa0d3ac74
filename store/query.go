package store

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"gridgov/apperr"
)

// query collects the WHERE conditions and bound arguments of one statement. Values are
// always bound; only fixed SQL fragments written in this package are concatenated.
type query struct {
	args  []any
	conds []string
}

// arg binds v and gives its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// where adds a condition; each "?" in cond is replaced by the placeholder of the next value.
func (q *query) where(cond string, vals ...any) {
	var b strings.Builder
	i := 0
	for _, r := range cond {
		if r == '?' && i < len(vals) {
			b.WriteString(q.arg(vals[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	q.conds = append(q.conds, b.String())
}

// span keeps rows whose col lies in [from, to); a nil bound is open.
func (q *query) span(col string, from, to *time.Time) {
	if from != nil {
		q.where(col+" >= ?", *from)
	}
	if to != nil {
		q.where(col+" < ?", *to)
	}
}

// sql gives " WHERE a AND b", or "" with no conditions.
func (q *query) sql() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}

// clone copies q so a count and a page can share the filters.
func (q *query) clone() *query {
	return &query{args: append([]any(nil), q.args...), conds: append([]string(nil), q.conds...)}
}

// MaxPage is the largest page a client may ask for; more is an error, not a silent cut.
const MaxPage = 100

// DefaultPage is the page size when a client gives neither first nor last.
const DefaultPage = 20

// Page is a Relay page request: first/after forward, last/before backward.
type Page struct {
	First  *int
	After  *string
	Last   *int
	Before *string
	// Total asks for the number of every match too, read in the same round trip.
	Total bool
}

// PageInfo is the Relay page information.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Edge is one node of a page with its cursor.
type Edge[T any] struct {
	Cursor string
	Node   T
}

// Conn is one page of a list.
type Conn[T any] struct {
	Edges    []Edge[T]
	PageInfo PageInfo
	// Total is the number of every match, when the page asked for it.
	Total int
}

// keyKind says how a sort key is bound back from a cursor.
type keyKind int

const (
	keyTime keyKind = iota
	keyInt
	keyText
	keyDate // a day, travelling as ISO text ("2026-03-01"): it never depends on a time zone
)

// sortKey is one orderable column: its SQL expression (never NULL: wrap in coalesce) and
// how its value travels in a cursor. The row id always breaks ties.
type sortKey struct {
	name string
	expr string
	kind keyKind
}

func (k sortKey) cast() string {
	switch k.kind {
	case keyTime:
		return "::timestamptz"
	case keyInt:
		return "::bigint"
	case keyDate:
		return "::date"
	}
	return "::text"
}

// listOrder names what a list's cursors belong to: "tag:KEY" or "tag:KEY_DESC", where tag
// is listTag(op). The key alone let a cursor of one name-sorted list (cadres) page another
// (volunteers) from a position in another table.
func listOrder(op string, key sortKey, desc bool) string {
	order := listTag(op) + ":" + key.name
	if desc {
		order += "_DESC"
	}
	return order
}

// listTag gives a list, named by its operation ("list cadres"), a tag of four base64url
// characters: 24 bits of FNV-1a (written out: hash/fnv would allocate on every page), so a
// cursor grows by five bytes of JSON and no table of tags needs keeping. TestListTagsDiffer
// checks that the lists' tags differ.
func listTag(op string) string {
	s := uint32(2166136261)
	for i := 0; i < len(op); i++ {
		s = (s ^ uint32(op[i])) * 16777619
	}
	return base64.RawURLEncoding.EncodeToString([]byte{byte(s >> 16), byte(s >> 8), byte(s)})
}

// cursor is what an opaque cursor holds: the list and order it belongs to (listOrder), the
// sort value and the id.
type cursor struct {
	Order string `json:"o"`
	Key   string `json:"k"`
	ID    int64  `json:"i"`
}

// encodeCursor writes c as base64url JSON. A page encodes one cursor per edge, so the
// common case — order and key of plain printable ASCII, which JSON copies as they are — is
// written by hand; anything else goes through encoding/json. Both give the same bytes.
func encodeCursor(c cursor) string {
	if !plainJSON(c.Order) || !plainJSON(c.Key) {
		b, _ := json.Marshal(c)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	var buf [128]byte
	b := append(buf[:0], `{"o":"`...)
	b = append(b, c.Order...)
	b = append(b, `","k":"`...)
	b = append(b, c.Key...)
	b = append(b, `","i":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, '}')
	return base64.RawURLEncoding.EncodeToString(b)
}

// plainJSON reports whether encoding/json writes s inside quotes unchanged.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

func decodeCursor(raw, order, field string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID <= 0 {
		return c, apperr.Invalid(field, "not a valid cursor")
	}
	if c.Order != order {
		other := "list"
		if listOf(c.Order) == listOf(order) {
			other = "orderBy"
		}
		return c, apperr.Invalid(field, "the cursor belongs to another %s", other)
	}
	return c, nil
}

// listOf gives the list tag of an order listOrder made.
func listOf(order string) string {
	tag, _, _ := strings.Cut(order, ":")
	return tag
}

// keyString renders a sort value for a cursor.
func keyString(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case string:
		return x
	}
	return ""
}

// pageSpec is a validated page request.
type pageSpec struct {
	limit    int
	backward bool
	after    *cursor
	before   *cursor
}

// checkPage validates a page request against the order it will run in.
func checkPage(p Page, order string) (pageSpec, error) {
	var s pageSpec
	if p.First != nil && p.Last != nil {
		return s, apperr.Invalid("last", "give first or last, not both")
	}
	s.limit = DefaultPage
	switch {
	case p.First != nil:
		s.limit = *p.First
		if s.limit < 0 || s.limit > MaxPage {
			return s, apperr.Invalid("first", "first must be between 0 and %d", MaxPage)
		}
	case p.Last != nil:
		s.limit = *p.Last
		s.backward = true
		if s.limit < 0 || s.limit > MaxPage {
			return s, apperr.Invalid("last", "last must be between 0 and %d", MaxPage)
		}
	}
	if p.After != nil {
		c, err := decodeCursor(*p.After, order, "after")
		if err != nil {
			return s, err
		}
		s.after = &c
	}
	if p.Before != nil {
		c, err := decodeCursor(*p.Before, order, "before")
		if err != nil {
			return s, err
		}
		s.before = &c
	}
	if p.Last != nil && p.First == nil && p.Before == nil && p.After != nil {
		// last with after only: still backward from the end, bounded by after.
		s.backward = true
	}
	return s, nil
}

// keyset adds the cursor conditions to q and gives the ORDER BY and LIMIT clause for a
// page in order key (desc or not), then id in the same direction.
func keyset(q *query, key sortKey, desc bool, s pageSpec) string {
	cmp := func(c *cursor, forwardSide bool) {
		// forwardSide: the rows after c in the requested order.
		op := ">"
		if desc == forwardSide {
			op = "<"
		}
		q.where("("+key.expr+", id) "+op+" (?"+key.cast()+", ?)", c.Key, c.ID)
	}
	if s.after != nil {
		cmp(s.after, true)
	}
	if s.before != nil {
		cmp(s.before, false)
	}
	dir := "ASC"
	if desc != s.backward {
		dir = "DESC"
	}
	return " ORDER BY " + key.expr + " " + dir + ", id " + dir + " LIMIT " + strconv.Itoa(s.limit+1)
}

// finish trims the extra row, restores the requested order for backward pages, and builds
// the edges and page info. keyOf gives a node's sort value and id.
func finish[T any](rows []T, s pageSpec, order string, keyOf func(T) (any, int64)) Conn[T] {
	more := len(rows) > s.limit
	if more {
		rows = rows[:s.limit]
	}
	if s.backward {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	c := Conn[T]{Edges: make([]Edge[T], len(rows))}
	for i, r := range rows {
		k, id := keyOf(r)
		c.Edges[i] = Edge[T]{Cursor: encodeCursor(cursor{Order: order, Key: keyString(k), ID: id}), Node: r}
	}
	// Relay allows reporting the far side as false when it is not cheap to know; a cursor on
	// that side means there is something there.
	if s.backward {
		c.PageInfo.HasPreviousPage = more
		c.PageInfo.HasNextPage = s.before != nil
	} else {
		c.PageInfo.HasNextPage = more
		c.PageInfo.HasPreviousPage = s.after != nil
	}
	if n := len(c.Edges); n > 0 {
		c.PageInfo.StartCursor = &c.Edges[0].Cursor
		c.PageInfo.EndCursor = &c.Edges[n-1].Cursor
	}
	return c
}

// textSearch adds a case-insensitive substring match over the given columns. ILIKE wildcards
// in the search text are escaped so they match literally.
func (q *query) textSearch(text string, cols ...string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text)
	p := q.arg("%" + esc + "%")
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + " ILIKE " + p
	}
	q.conds = append(q.conds, "("+strings.Join(parts, " OR ")+")")
}

// gramSearch is textSearch over a title and description with an indexed gram filter in
// front (schema/postgres/00010_text_search.sql): the GIN index on gridgov_grams(title || ' '
// || description) keeps the rows holding every pair of characters of the text, and ILIKE
// checks them exactly.
func (q *query) gramSearch(text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	q.where("gridgov_grams(title || ' ' || description) @> gridgov_search_grams(?)", text)
	q.textSearch(text, "title", "description")
}

// splitCols splits a comma-separated column list, trimming spaces and newlines.
func splitCols(cols string) []string {
	parts := strings.Split(cols, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
