package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
)

// A Source is how the values of one kind of relation are read: the statements that read the
// values of a set of keys within a scope (grids by id, an issue's last N events, a member's
// latest check-in), and what each row gives. The API declares each relation once over a
// source; a request reads one level of its query as one batch of every statement the level
// needs (Store.Batch): one round trip, whatever the number of relations, and the rows are
// read on the caller's goroutine.
//
// A key the statements give no value for reads as V's zero value: absent and out of scope
// look alike.
type Source[K comparable, V any] struct {
	name  string
	reads func(sc auth.Scope, keys []K, put func(K, V)) []Read
}

// Name says what the source reads, for metrics and errors ("load grids").
func (s *Source[K, V]) Name() string { return s.name }

// Reads gives the statements that read keys within sc; each hands the values it reads to put
// as its rows arrive. A source reads a set of keys in one statement, or in one per kind of
// key (the N of "last N events").
func (s *Source[K, V]) Reads(sc auth.Scope, keys []K, put func(K, V)) []Read {
	return s.reads(sc, keys, put)
}

// A Read is one statement and what consumes its rows.
type Read struct {
	op   string
	sql  string
	args []any
	rows func(pgx.Rows) error
}

// Batch runs reads as one round trip (a pgx batch on one connection, or in the transaction of
// the Write ctx is in) and hands each its rows in turn, on this goroutine.
func (s *Store) Batch(ctx context.Context, reads []Read) error {
	if len(reads) == 0 {
		return nil
	}
	if tx, ok := txOf(ctx); ok {
		return batch(ctx, tx, reads)
	}
	conn, err := s.readPool(ctx).Acquire(ctx)
	if err != nil {
		return MapError("read", err)
	}
	// A read that panics leaves the connection busy: released so, the pool drops it rather
	// than lend it again.
	defer conn.Release()
	return batch(ctx, conn, reads)
}

// batch runs reads on one connection or transaction.
func batch(ctx context.Context, q interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}, reads []Read) error {
	if len(reads) == 1 {
		r := reads[0]
		rows, err := q.Query(ctx, r.sql, r.args...)
		if err != nil {
			return MapError(r.op, err)
		}
		defer rows.Close()
		return MapError(r.op, r.rows(rows))
	}
	b := &pgx.Batch{}
	for _, r := range reads {
		b.Queue(r.sql, r.args...).Query(r.rows)
	}
	return MapError("read", q.SendBatch(ctx, b).Close())
}

// Fetch reads the values of keys from one source at once.
func Fetch[K comparable, V any](ctx context.Context, s *Store, src *Source[K, V], sc auth.Scope, keys []K) (map[K]V, error) {
	out := make(map[K]V, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	err := s.Batch(ctx, src.Reads(sc, keys, func(k K, v V) { out[k] = v }))
	return out, err
}

// scanned is a read whose rows scan turns into values handed to each.
func scanned[T any](op, sql string, args []any, scan func(pgx.Row) (T, error), each func(T)) Read {
	return Read{op: op, sql: sql, args: args, rows: func(rows pgx.Rows) error {
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			each(v)
		}
		return rows.Err()
	}}
}

// rowsByID is a source of the rows of table by id, within the scope (tableScopes).
func rowsByID[T any](op, base, table string, scan func(pgx.Row) (*T, error), id func(*T) int64) *Source[int64, *T] {
	return &Source[int64, *T]{name: op, reads: func(sc auth.Scope, ids []int64, put func(int64, *T)) []Read {
		sql, args := idsQuery(base, ids, sc, colsFor(table, ""))
		return []Read{scanned(op, sql, args, scan, func(v *T) { put(id(v), v) })}
	}}
}

// children is a source of each parent's rows of table, found by the foreign key fk, in the
// order given: every parent gets a list, empty when it has no rows in scope.
func children[T any](op, base, table, fk, order string, scan func(pgx.Row) (*T, error), parent func(*T) int64) *Source[int64, []*T] {
	return &Source[int64, []*T]{name: op, reads: func(sc auth.Scope, parents []int64, put func(int64, []*T)) []Read {
		q := &query{}
		q.where(fk+" = ANY(?)", parents)
		q.where("deleted_at IS NULL")
		q.scoped(sc, colsFor(table, ""))
		return []Read{grouped(op, base+q.sql()+" ORDER BY "+order, q.args, scan, parents, parent, put)}
	}}
}

// grouped is a read of rows that belong to keys: each key is handed its list, in row order,
// once the rows are read; a key without rows gets an empty list.
func grouped[K comparable, T any](op, sql string, args []any, scan func(pgx.Row) (*T, error), keys []K, key func(*T) K,
	put func(K, []*T)) Read {
	lists := make(map[K][]*T, len(keys))
	r := scanned(op, sql, args, scan, func(v *T) { k := key(v); lists[k] = append(lists[k], v) })
	consume := r.rows
	r.rows = func(rows pgx.Rows) error {
		if err := consume(rows); err != nil {
			return err
		}
		for _, k := range keys {
			if l := lists[k]; l != nil {
				put(k, l)
			} else {
				put(k, []*T{})
			}
		}
		return nil
	}
	return r
}

// byShape splits keys by what the statement must be written for (the N of "last N", a year),
// in the order the shapes first appear, so a source builds one statement per shape.
func byShape[K any, S comparable](keys []K, shape func(K) S) ([]S, map[S][]K) {
	var order []S
	groups := map[S][]K{}
	for _, k := range keys {
		s := shape(k)
		if _, ok := groups[s]; !ok {
			order = append(order, s)
		}
		groups[s] = append(groups[s], k)
	}
	return order, groups
}

// rowsBy is a source of one row per key, found by the column col of table (within scope): a
// member by person, a member's latest check-in (order picks it, with DISTINCT ON in base).
func rowsBy[T any](op, base, table, col, order string, scan func(pgx.Row) (*T, error), key func(*T) int64) *Source[int64, *T] {
	return &Source[int64, *T]{name: op, reads: func(sc auth.Scope, keys []int64, put func(int64, *T)) []Read {
		q := &query{}
		q.where(col+" = ANY(?)", keys)
		q.where("deleted_at IS NULL")
		q.scoped(sc, colsFor(table, ""))
		sql := base + q.sql()
		if order != "" {
			sql += " ORDER BY " + order
		}
		return []Read{scanned(op, sql, q.args, scan, func(v *T) { put(key(v), v) })}
	}}
}

// unscoped is src read without the caller's scope: the records in scope name what it reads.
func unscoped[K comparable, V any](src *Source[K, V]) *Source[K, V] {
	return &Source[K, V]{name: src.name, reads: func(_ auth.Scope, keys []K, put func(K, V)) []Read {
		return src.reads(auth.Scope{}, keys, put)
	}}
}

// idsOf gives the row ids keys name.
func idsOf[K any](keys []K, id func(K) int64) []int64 {
	out := make([]int64, len(keys))
	for i, k := range keys {
		out[i] = id(k)
	}
	return out
}
