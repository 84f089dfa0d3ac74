package loadgen

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Replaying captured statements with pgbench. Two scripts come from one capture:
//
//   - one by one (OneByOne): every statement alone, its parameters written in as typed
//     literals, for pgbench -M simple: Postgres parses and plans each statement every time
//     and answers it in a round trip of its own;
//   - as sent (AsSent): the statements as the client sent them, for pgbench -M prepared:
//     each prepared once per connection with its parameters left as parameters (pgbench
//     variables given with -D, bound at each execution), and the statements of one round
//     trip inside \startpipeline … \endpipeline.

// Param is one parameter of a statement: its SQL type and its value as Postgres prints it
// (nil: NULL).
type Param struct {
	Type string
	Text *string
}

// Replayable is a captured statement with its parameters in SQL terms.
type Replayable struct {
	SQL    string
	Params []Param
	Turn   int64 // statements of one turn went out in one round trip
}

// Describe gives each captured statement's parameters their SQL types and texts, as
// Postgres itself sees them: the types are those Postgres infers when conn prepares the
// statement (or those the client declared), and each value is sent back to Postgres
// exactly as the client bound it (same type, same format) in `SELECT $1, $2, …`, and read
// back in text form. No codec of this package has to know the types.
func Describe(ctx context.Context, conn *pgx.Conn, stmts []WireStatement) ([]Replayable, error) {
	d := describer{conn: conn, oids: map[string][]uint32{}, names: map[uint32]string{}}
	out := make([]Replayable, len(stmts))
	for i, s := range stmts {
		r, err := d.describe(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("describe %q: %w", firstLine(s.SQL), err)
		}
		out[i] = r
	}
	return out, nil
}

type describer struct {
	conn  *pgx.Conn
	oids  map[string][]uint32
	names map[uint32]string
}

func (d *describer) describe(ctx context.Context, s WireStatement) (Replayable, error) {
	r := Replayable{SQL: s.SQL, Turn: s.Turn}
	if len(s.Values) == 0 {
		return r, nil
	}
	oids, err := d.paramOIDs(ctx, s)
	if err != nil {
		return r, err
	}
	placeholders := make([]string, len(s.Values))
	for i := range placeholders {
		placeholders[i] = "$" + strconv.Itoa(i+1)
	}
	res := d.conn.PgConn().ExecParams(ctx, "SELECT "+strings.Join(placeholders, ", "), s.Values, oids, s.Formats, nil).Read()
	if res.Err != nil {
		return r, res.Err
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != len(s.Values) {
		return r, fmt.Errorf("parameters read back as %d rows", len(res.Rows))
	}
	for i, v := range res.Rows[0] {
		name, err := d.typeName(ctx, oids[i])
		if err != nil {
			return r, err
		}
		p := Param{Type: name}
		if v != nil {
			text := string(v)
			p.Text = &text
		}
		r.Params = append(r.Params, p)
	}
	return r, nil
}

// paramOIDs gives the parameter types of a statement: declared by the client, or inferred
// by Postgres.
func (d *describer) paramOIDs(ctx context.Context, s WireStatement) ([]uint32, error) {
	oids, ok := d.oids[s.SQL]
	if !ok {
		sd, err := d.conn.PgConn().Prepare(ctx, "", s.SQL, s.OIDs)
		if err != nil {
			return nil, err
		}
		oids = sd.ParamOIDs
		d.oids[s.SQL] = oids
	}
	if len(oids) != len(s.Values) {
		return nil, fmt.Errorf("%d parameters bound, %d described", len(s.Values), len(oids))
	}
	return oids, nil
}

func (d *describer) typeName(ctx context.Context, oid uint32) (string, error) {
	if n, ok := d.names[oid]; ok {
		return n, nil
	}
	var n string
	if err := d.conn.QueryRow(ctx, "SELECT format_type($1, NULL)", oid).Scan(&n); err != nil {
		return "", err
	}
	d.names[oid] = n
	return n, nil
}

// Keys names pgbench variables to write in place of parameter values: an integer parameter
// whose value is a key of the map becomes that variable, and an integer array holding just
// such a value an array of it (the order a claim takes, say, so each transaction of the
// replay claims an order of its own).
type Keys map[string]string

// expr gives the SQL that stands for p when a key names its value.
func (k Keys) expr(p Param) (string, bool) {
	if p.Text == nil || len(k) == 0 {
		return "", false
	}
	switch p.Type {
	case "smallint", "integer", "bigint":
		if v, ok := k[*p.Text]; ok {
			return "CAST(:" + v + " AS " + p.Type + ")", true
		}
	case "smallint[]", "integer[]", "bigint[]":
		if inner, ok := strings.CutPrefix(*p.Text, "{"); ok {
			if v, ok := k[strings.TrimSuffix(inner, "}")]; ok && strings.HasSuffix(inner, "}") {
				return "ARRAY[CAST(:" + v + " AS " + strings.TrimSuffix(p.Type, "[]") + ")]", true
			}
		}
	}
	return "", false
}

var placeholder = regexp.MustCompile(`\$([0-9]+)`)

// substitute replaces each $n of sql by what param gives for the n-th parameter.
func substitute(sql string, n int, param func(i int) string) (string, error) {
	var bad error
	out := placeholder.ReplaceAllStringFunc(sql, func(m string) string {
		i, _ := strconv.Atoi(m[1:])
		if i < 1 || i > n {
			bad = fmt.Errorf("%s with %d parameters", m, n)
			return m
		}
		return param(i - 1)
	})
	return out, bad
}

// OneByOne writes statements as a pgbench script for -M simple: each statement alone, its
// parameters written in as typed literals (or the variables keys names), in the order of
// AsSent.
func OneByOne(stmts []Replayable, keys Keys) (string, error) {
	var b strings.Builder
	for _, s := range slices.Concat(byTurn(stmts)...) {
		sql, err := substitute(s.SQL, len(s.Params), func(i int) string {
			p := s.Params[i]
			if e, ok := keys.expr(p); ok {
				return e
			}
			if p.Text == nil {
				return "CAST(NULL AS " + p.Type + ")"
			}
			return "CAST(" + quote(*p.Text) + " AS " + p.Type + ")"
		})
		if err != nil {
			return "", fmt.Errorf("statement %q: %w", firstLine(s.SQL), err)
		}
		writeStatement(&b, sql)
	}
	return b.String(), nil
}

// pgbenchMaxArgs is the most variables one pgbench command may hold (its MAX_ARGS, 256,
// counts the statement itself).
const pgbenchMaxArgs = 255

// variableLike finds what pgbench -M prepared would take for a variable in a statement's
// own text (":name", not a cast's "::").
var variableLike = regexp.MustCompile(`(^|[^:]):[A-Za-z_\x80-\xff]`)

// AsSent writes statements as a pgbench script for -M prepared, as a client sent them:
// every parameter a variable named by its place (prefix1, prefix2, … over all the
// statements; NULL written in), so that each statement is prepared once per connection and
// its values bound at each execution, and requests that sent the same statements in the
// same round trips give the same text; the statements of one round trip inside
// \startpipeline … \endpipeline, one round trip after another in the order they began
// (byTurn).
func AsSent(stmts []Replayable, prefix string, keys Keys) (Script, error) {
	var sc Script
	var b strings.Builder
	for _, turn := range byTurn(stmts) {
		if len(turn) > 1 {
			b.WriteString("\\startpipeline\n")
		}
		for _, s := range turn {
			if variableLike.MatchString(s.SQL) {
				return Script{}, fmt.Errorf("statement %q holds text pgbench would read as a variable", firstLine(s.SQL))
			}
			if len(s.Params) > pgbenchMaxArgs {
				return Script{}, fmt.Errorf("statement %q has %d parameters, more than pgbench takes", firstLine(s.SQL), len(s.Params))
			}
			sql, err := substitute(s.SQL, len(s.Params), func(i int) string {
				p := s.Params[i]
				if e, ok := keys.expr(p); ok {
					return e
				}
				if p.Text == nil {
					return "CAST(NULL AS " + p.Type + ")"
				}
				sc.Values = append(sc.Values, *p.Text)
				return "CAST(:" + prefix + strconv.Itoa(len(sc.Values)) + " AS " + p.Type + ")"
			})
			if err != nil {
				return Script{}, fmt.Errorf("statement %q: %w", firstLine(s.SQL), err)
			}
			writeStatement(&b, sql)
		}
		if len(turn) > 1 {
			b.WriteString("\\endpipeline\n")
		}
	}
	sc.Text = b.String()
	return sc, nil
}

// Script is a pgbench script and the values of the variables it reads, in the order of
// their names (prefix1, prefix2, …).
type Script struct {
	Text   string
	Values []string
}

// byTurn groups statements by round trip, in the order the round trips began (statements of
// concurrent connections may interleave in a capture); within a round trip of reads, in the
// order of their text: concurrent readers that share a round trip queue in an order left to
// chance, and two captures of the same work should give the same scripts.
func byTurn(stmts []Replayable) [][]Replayable {
	var out [][]Replayable
	at := map[int64]int{}
	for _, s := range stmts {
		i, ok := at[s.Turn]
		if !ok {
			i = len(out)
			at[s.Turn] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], s)
	}
	for _, turn := range out {
		if allReads(turn) {
			slices.SortStableFunc(turn, func(x, y Replayable) int { return strings.Compare(x.SQL, y.SQL) })
		}
	}
	return out
}

// allReads reports whether every statement is a plain SELECT.
func allReads(stmts []Replayable) bool {
	for _, s := range stmts {
		if f := strings.Fields(s.SQL); len(f) == 0 || !strings.EqualFold(f[0], "SELECT") {
			return false
		}
	}
	return true
}

// writeStatement ends a statement on a line of its own, so a trailing line comment in it
// cannot swallow the semicolon.
func writeStatement(b *strings.Builder, sql string) {
	b.WriteString(strings.TrimRight(strings.TrimSpace(sql), ";"))
	b.WriteString("\n;\n")
}
