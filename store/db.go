package store

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/apperr"
	"gridgov/auth"
)

// Store reads and writes the operational entities. Every read takes an auth.Scope and
// applies it in SQL; every write runs in one transaction that also appends the history.
type Store struct {
	pool *pgxpool.Pool
	// places caches CompleteScope: a place never moves to another parent, and every
	// authenticated request asks.
	places sync.Map // auth.Scope → auth.Scope
	// replica, when set, takes the reads of requests that have not written (replica.go).
	replica *Replica
}

// New wraps a pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Pool gives the underlying pool (readiness checks, tests).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// querier is what both a pool and a transaction offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// querier gives the transaction of the Write ctx is in, or the pool of reads: a read made while
// a mutation runs sees what the mutation wrote.
func (s *Store) querier(ctx context.Context) querier {
	if tx, ok := txOf(ctx); ok {
		return tx
	}
	return s.readPool(ctx)
}

// txKey carries the Write a context is in: its transaction while it runs, none once it has
// ended (gqlgen resolves a mutation's result with the context its resolver ran with: those
// reads go to the pool, not to a finished transaction), and what runs once it has ended.
type txKey struct{}

type writeTx struct {
	tx    pgx.Tx
	after []func(ctx context.Context, committed bool)
}

// txOf gives the transaction of the running Write ctx is in.
func txOf(ctx context.Context) (pgx.Tx, bool) {
	w, ok := ctx.Value(txKey{}).(*writeTx)
	if !ok || w.tx == nil {
		return nil, false
	}
	return w.tx, true
}

// Write runs fn in one transaction, committing when it returns nil; every store change made
// with the context fn is given joins it. A mutation runs in one Write: the resolution of the
// ids it names and its changes commit, or roll back, together. When ctx runs a mutation
// (WithAudit), the transaction first sets the audit context, so the audit trigger records
// every row it changes, in this same transaction. A Write inside a Write joins the outer one.
func (s *Store) Write(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := txOf(ctx); ok {
		return fn(ctx)
	}
	markWrote(ctx)
	w := &writeTx{}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		w.tx = tx
		defer func() { w.tx = nil }()
		if a := auditContext(ctx); a != "" {
			if _, err := tx.Exec(ctx, `SELECT set_config('gridgov.audit', $1, true)`, a); err != nil {
				return err
			}
		}
		return fn(context.WithValue(ctx, txKey{}, w))
	})
	// Even when the request was cancelled: what runs now tidies up after it.
	for _, f := range w.after {
		f(context.WithoutCancel(ctx), err == nil)
	}
	return err
}

// afterWrite has f run once the transaction of the Write ctx is in has committed (true) or
// rolled back (false), outside it: for what lives beside Postgres (the evidence store's files).
func afterWrite(ctx context.Context, f func(ctx context.Context, committed bool)) {
	w := ctx.Value(txKey{}).(*writeTx)
	w.after = append(w.after, f)
}

// inTx runs fn in the transaction of the Write that ctx is in, or in a Write of its own.
func (s *Store) inTx(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	err := s.Write(ctx, func(ctx context.Context) error {
		tx, _ := txOf(ctx)
		return fn(tx)
	})
	return MapError(op, err)
}

// errConflict is what the loser of an optimistic-concurrency race gets.
func errConflict(entity string) error {
	return apperr.New(apperr.Conflict, "the %s was changed by someone else; reload and try again", entity)
}

// nullIfEmpty gives NULL for "", else s.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// notFound is the NOT_FOUND error for an entity, out of scope or absent alike.
func notFound(entity string) error {
	return apperr.New(apperr.NotFound, "%s not found", entity)
}

// collect scans every row with scan.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// isNoRows reports whether err means an empty result.
func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// wrap adds the operation to an error that is not an application error.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Entity is any record the API exposes as a Node with a global id. It has no methods: the
// API layer derives the global id from the concrete type.
type Entity interface{}

// current reads the row a change starts from, in the change's transaction: by id, live, within
// the caller's scope (else NOT_FOUND naming what), and at the version the client last saw when
// it says one (else CONFLICT). Every version-checked change of a single row starts here.
func current[T any](ctx context.Context, tx pgx.Tx, selectSQL string, id int64, sc auth.Scope, cols scopeCols,
	scan func(pgx.Row) (*T, error), version func(*T) int64, expected *int64, what string) (*T, error) {
	q := &query{}
	q.where("id = ?", id)
	q.where("deleted_at IS NULL")
	q.scoped(sc, cols)
	cur, err := scan(tx.QueryRow(ctx, selectSQL+q.sql(), q.args...))
	if isNoRows(err) {
		return nil, notFound(what)
	}
	if err != nil {
		return nil, err
	}
	if expected != nil && *expected != version(cur) {
		return nil, errConflict(what)
	}
	return cur, nil
}
