package etl

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"gridgov/warehouse"
)

// tombstoneVersion is the version of a hard delete in the warehouse: above any live version
// (a place dimension's version is t.version·2³² plus its ancestors' versions).
const tombstoneVersion = uint64(1) << 63

// plan is how one table is copied in this run: the columns of the live warehouse table, how
// each is computed in Postgres and converted for ClickHouse.
type plan struct {
	table  Table
	cols   []warehouse.Column
	exprs  []string // Postgres expression per column
	convs  []converter
	specs  []colSpec
	keyIdx int
}

// newPlan reads the warehouse table's columns (DESCRIBE) and checks them against its DDL, so
// a warehouse that was not migrated fails with a clear message instead of a half load.
func (e *ETL) newPlan(ctx context.Context, t Table) (*plan, error) {
	ddl, err := warehouse.Table(t.Name)
	if err != nil {
		return nil, err
	}
	rows, err := e.ch.Query(ctx, "DESCRIBE TABLE "+warehouse.Qualified(e.opt.Database, t.Name))
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w (run `gridgov warehouse migrate`)", t.Name, err)
	}
	var live []string
	for _, r := range rows {
		live = append(live, r[0]+" "+r[1])
	}
	var want []string
	for _, c := range ddl.Columns {
		want = append(want, c.Name+" "+c.Type)
	}
	if strings.Join(live, ", ") != strings.Join(want, ", ") {
		return nil, fmt.Errorf("warehouse table %s differs from its DDL (run `gridgov warehouse migrate`, or resync): has (%s), want (%s)",
			t.Name, strings.Join(live, ", "), strings.Join(want, ", "))
	}
	return buildPlan(t, ddl.Columns, e.opt.Pseudo)
}

func buildPlan(t Table, cols []warehouse.Column, p *Pseudonymizer) (*plan, error) {
	pl := &plan{table: t, cols: cols, keyIdx: -1}
	for i, c := range cols {
		conv, err := converterFor(c.Name, c.Type, p)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
		spec, err := newColSpec(c, conv)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
		pl.convs = append(pl.convs, conv)
		pl.specs = append(pl.specs, spec)
		pl.exprs = append(pl.exprs, t.expr(c.Name))
		if c.Name == t.key() {
			pl.keyIdx = i
		}
	}
	if pl.keyIdx < 0 {
		return nil, fmt.Errorf("table %s has no key column %s", t.Name, t.key())
	}
	for _, must := range []string{"version", "is_deleted"} {
		if !pl.has(must) {
			return nil, fmt.Errorf("table %s has no %s column", t.Name, must)
		}
	}
	return pl, nil
}

func (p *plan) has(col string) bool {
	for _, c := range p.cols {
		if c.Name == col {
			return true
		}
	}
	return false
}

// expr is the Postgres expression of a warehouse column.
func (t Table) expr(col string) string {
	if e, ok := t.Exprs[col]; ok {
		return e
	}
	switch col {
	case "version":
		return t.versionExpr()
	case "is_deleted":
		return "(t.deleted_at IS NOT NULL)"
	}
	return "t." + pgQuote(col)
}

// versionExpr is the row's version. A place dimension also changes when an ancestor is
// renamed, so its version is the row's own version times 2³² plus the ancestors' versions:
// it grows with every change of any of them, and a move to another parent (an update of the
// row itself) outweighs whatever the new parent's version is.
func (t Table) versionExpr() string {
	if len(t.Parents) == 0 {
		return "t.version"
	}
	parts := make([]string, len(t.Parents))
	for i, p := range t.Parents {
		parts[i] = p + ".version"
	}
	return "t.version * 4294967296 + " + strings.Join(parts, " + ")
}

// fromWhere is the FROM clause and the condition that selects rows written at or after the
// horizon ($1, an xid8 as text), by the row itself or by an ancestor.
func (t Table) fromWhere() string {
	conds := []string{"t.row_xid >= $1::text::xid8"}
	for _, p := range t.Parents {
		conds = append(conds, p+".row_xid >= $1::text::xid8")
	}
	return fmt.Sprintf("FROM %s t %s WHERE %s", pgQuote(t.Source), t.Joins, strings.Join(conds, " OR "))
}

// extractSQL selects the warehouse columns of the rows changed since the horizon.
func (p *plan) extractSQL() string {
	return "SELECT " + strings.Join(p.exprs, ", ") + " " + p.table.fromWhere()
}

// countSQL counts what extractSQL returns.
func (p *plan) countSQL() string { return "SELECT count(*) " + p.table.fromWhere() }

// estimate is the number of rows a full load of the table extracts, for its progress bar:
// Postgres's own estimate (pg_class.reltuples), which costs nothing, where the table has
// been analyzed; an exact count (one more scan of the table) where it has not.
func (p *plan) estimate(ctx context.Context, tx pgx.Tx, horizon string) (int64, error) {
	var n int64
	err := tx.QueryRow(ctx, `SELECT reltuples::bigint FROM pg_class WHERE oid = $1::regclass`, pgQuote(p.table.Source)).Scan(&n)
	if err != nil || n >= 0 {
		return n, err
	}
	err = tx.QueryRow(ctx, p.countSQL(), horizon).Scan(&n)
	return n, err
}

const tombstoneSQL = `SELECT row_id FROM etl_tombstones WHERE table_name = $1 AND row_xid >= $2::text::xid8`

// insertSQL is the INSERT of a batch into table (the plan's table, or a resync's staging
// copy), with its explicit column list (ClickHouse 18.16 needs one).
func (p *plan) insertSQL(db, table string) string {
	names := make([]string, len(p.cols))
	for i, c := range p.cols {
		names[i] = warehouse.Quote(c.Name)
	}
	return fmt.Sprintf("INSERT INTO %s (%s)", warehouse.Qualified(db, table), strings.Join(names, ", "))
}

// rowError names the table, the row's key and the column of a value that does not fit: a bad
// row is never dropped silently.
func (p *plan) rowError(col int, raw [][]byte, fds []pgconn.FieldDescription, m *pgtype.Map, err error) error {
	var key any = "?"
	if k := raw[p.keyIdx]; k == nil {
		key = nil
	} else if typ, ok := m.TypeForOID(fds[p.keyIdx].DataTypeOID); ok {
		if v, derr := typ.Codec.DecodeValue(m, fds[p.keyIdx].DataTypeOID, fds[p.keyIdx].Format, k); derr == nil {
			key = v
		}
	}
	return fmt.Errorf("table %s, row %s=%v, column %s: %w", p.table.Name, p.table.key(), key, p.cols[col].Name, err)
}

// tombstone puts into b the row that deletes id in the warehouse.
func (p *plan) tombstone(id int64, b *rowBuf) error {
	for i, c := range p.cols {
		var v any
		switch {
		case i == p.keyIdx:
			k, err := p.convs[i](id)
			if err != nil {
				return fmt.Errorf("table %s, tombstone %d: %w", p.table.Name, id, err)
			}
			v = k
		case c.Name == "version":
			v = tombstoneVersion
		case c.Name == "is_deleted":
			v = uint8(1)
		default:
			v = zeroFor(c.Type)
		}
		if err := b.cols[i].putAny(&p.specs[i], v); err != nil {
			return fmt.Errorf("table %s, tombstone %d, column %s: %w", p.table.Name, id, c.Name, err)
		}
	}
	return nil
}

func pgQuote(ident string) string { return pgx.Identifier{ident}.Sanitize() }
