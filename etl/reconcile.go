package etl

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/warehouse"
)

// Mismatch is a summary of a table that differs between Postgres and the warehouse.
type Mismatch struct {
	Table     string
	Check     string
	Postgres  string
	Warehouse string
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s %s: postgres %s, warehouse %s", m.Table, m.Check, m.Postgres, m.Warehouse)
}

// Reconcile compares every table's live rows in Postgres with the deduplicated warehouse:
// row counts, and per column sums (numbers, dates, times, string lengths, pseudonymous keys)
// and non-NULL counts. It returns the differences; none means the copy is exact as far as
// those summaries tell. Postgres should not change while it runs (or the warehouse lags).
func Reconcile(ctx context.Context, pg *pgxpool.Pool, ch warehouse.Engine, db string, pseudo *Pseudonymizer, tables []Table) ([]Mismatch, error) {
	if pseudo == nil {
		pseudo = NewPseudonymizer(DevPseudonymKey)
	}
	if tables == nil {
		tables = Tables
	}
	var out []Mismatch
	for _, t := range tables {
		ms, err := reconcileTable(ctx, pg, ch, db, pseudo, t)
		if err != nil {
			return out, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

func reconcileTable(ctx context.Context, pg *pgxpool.Pool, ch warehouse.Engine, db string, pseudo *Pseudonymizer, t Table) ([]Mismatch, error) {
	ddl, err := warehouse.Table(t.Name)
	if err != nil {
		return nil, err
	}
	checks := warehouse.Checks(ddl.Columns)
	rows, err := ch.Query(ctx, warehouse.ReconcileQuery(db, t.Name, checks))
	if err != nil {
		return nil, fmt.Errorf("reconcile %s: warehouse: %w", t.Name, err)
	}
	if len(rows) != 1 || len(rows[0]) != len(checks) {
		return nil, fmt.Errorf("reconcile %s: warehouse returned %d rows", t.Name, len(rows))
	}
	want, err := postgresSummary(ctx, pg, pseudo, t, checks)
	if err != nil {
		return nil, err
	}
	var out []Mismatch
	for i, c := range checks {
		if !warehouse.SameNumber(want[i], rows[0][i]) {
			out = append(out, Mismatch{Table: t.Name, Check: c.Label(), Postgres: want[i], Warehouse: rows[0][i]})
		}
	}
	return out, nil
}

// postgresSummary computes the checks on the live Postgres rows. Pseudonymous keys cannot be
// hashed in SQL (the secret stays in the ETL), so their sums are computed here, modulo 2^64
// as ClickHouse sums UInt64.
func postgresSummary(ctx context.Context, pg *pgxpool.Pool, pseudo *Pseudonymizer, t Table, checks []warehouse.Check) ([]string, error) {
	from := fmt.Sprintf("FROM %s t %s WHERE t.deleted_at IS NULL", pgQuote(t.Source), t.Joins)
	exprs := make([]string, len(checks))
	var keys []string
	for i, c := range checks {
		x := t.expr(c.Column.Name)
		base, _ := warehouse.Unwrap(c.Column.Type)
		var agg string
		switch c.Kind {
		case warehouse.CountRows:
			agg = "count(*)"
		case warehouse.CountNotNull:
			agg = "count(" + x + ")"
		case warehouse.SumLength:
			agg = "sum(octet_length(" + x + "))"
		case warehouse.SumDays:
			agg = "sum((" + x + ") - DATE '1970-01-01')"
		case warehouse.SumSeconds:
			agg = "sum(floor(extract(epoch FROM " + x + "))::bigint)"
		case warehouse.SumKeys:
			agg = "NULL"
			keys = append(keys, x)
		default:
			if base == "UInt8" { // booleans and small numbers alike
				x = "(" + x + ")::integer"
			}
			agg = "sum(" + x + ")"
		}
		exprs[i] = "coalesce((" + agg + ")::text, '0')"
	}
	out := make([]string, len(checks))
	ptrs := make([]any, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	if err := pg.QueryRow(ctx, "SELECT "+strings.Join(exprs, ", ")+" "+from).Scan(ptrs...); err != nil {
		return nil, fmt.Errorf("reconcile %s: postgres: %w", t.Name, err)
	}
	if len(keys) == 0 {
		return out, nil
	}
	sums, err := keySums(ctx, pg, pseudo, keys, from)
	if err != nil {
		return nil, fmt.Errorf("reconcile %s: postgres keys: %w", t.Name, err)
	}
	k := 0
	for i, c := range checks {
		if c.Kind == warehouse.SumKeys {
			out[i] = strconv.FormatUint(sums[k], 10)
			k++
		}
	}
	return out, nil
}

func keySums(ctx context.Context, pg *pgxpool.Pool, pseudo *Pseudonymizer, exprs []string, from string) ([]uint64, error) {
	rows, err := pg.Query(ctx, "SELECT "+strings.Join(exprs, ", ")+" "+from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sums := make([]uint64, len(exprs))
	ids := make([]*int64, len(exprs))
	ptrs := make([]any, len(exprs))
	for i := range ids {
		ptrs[i] = &ids[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, id := range ids {
			if id != nil {
				sums[i] += pseudo.Key(*id)
			}
		}
	}
	return sums, rows.Err()
}
