package warehouse

import (
	"context"
	"strings"
)

// part is one SELECT of the indicators: a section's aggregate over one table. The parts run
// in a few batches, each one query of the parts' SELECTs joined by UNION ALL, because on
// ClickHouse 18.16 every query costs about a millisecond of fixed work at each end while a
// UNION ALL branch costs a fraction of that. A part's rows come back as text with its tag in
// front (see cols); read gets them without the tag.
type part struct {
	tag  string
	sql  string // empty: the part has nothing to read at this scope
	args []any
	read func(rows [][]string) // called with compute.mu held
}

// partWidth is how many values a part's rows carry after the tag.
const partWidth = 9

// cols is the select list of a part: its tag, then each expression as text, padded with empty
// strings to partWidth, so that every branch of a batch has the same columns and types. Every
// column is materialized: over a Distributed table, ClickHouse 18.16 refuses a constant in the
// result ("non constant in source stream but must be constant in result"), as the shards send
// it back as an ordinary column.
func cols(tag string, exprs ...string) string {
	out := make([]string, 0, partWidth+1)
	out = append(out, "materialize("+QuoteString(tag)+")")
	for _, e := range exprs {
		out = append(out, "materialize(toString("+e+"))")
	}
	for len(out) <= partWidth {
		out = append(out, "materialize('')")
	}
	return strings.Join(out, ", ")
}

// batch runs parts as one query named name and hands each part its rows.
func (c *compute) batch(ctx context.Context, name string, parts []part) error {
	var sqls []string
	var args []any
	for _, p := range parts {
		if p.sql != "" {
			sqls = append(sqls, p.sql)
			args = append(args, p.args...)
		}
	}
	if len(sqls) == 0 {
		return nil
	}
	rows, err := c.r.query(ctx, name, strings.Join(sqls, " UNION ALL "), args...)
	if err != nil {
		return err
	}
	byTag := map[string][][]string{}
	for _, row := range rows {
		byTag[row[0]] = append(byTag[row[0]], row[1:])
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range parts {
		if p.sql != "" {
			p.read(byTag[p.tag])
		}
	}
	return nil
}
