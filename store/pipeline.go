package store

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
)

// A Pipeline sends the statements of reads that run side by side in one round trip.
//
// A request's prefetch reads one level of its query tree with several loaders at once (an
// issue page's grids, people and events, and its total count); each read alone takes a pool
// connection, a write and a read on the socket, and a wake-up of its own backend. Under a
// pipeline, the first statement of each member waits until every member has either queued
// its statement or finished without one; the statements then go out as one pgx batch on one
// connection, and each member reads its own rows in turn, in the order they were queued. A
// member's later statements, and any statement queued after the batch has gone, run alone
// as usual, so a pipeline changes only how statements travel, never what they return.
type Pipeline struct {
	s       *Store
	ctx     context.Context
	mu      sync.Mutex
	waiting int // members that have neither queued a statement nor finished
	queued  []*pipedQuery
	sent    bool
}

type pipedQuery struct {
	sql    string
	args   []any
	answer chan pipedAnswer
}

type pipedAnswer struct {
	rows  pgx.Rows
	err   error
	alone bool // run the statement on the pool instead
}

// pipelineMember marks a context as one member of a pipeline.
type pipelineMember struct {
	p      *Pipeline
	queued bool // its first statement went to the pipeline
	left   bool
}

type pipelineKey struct{}

// NewPipeline makes a pipeline for members reads; each must run under Join and then Leave.
func (s *Store) NewPipeline(ctx context.Context, members int) *Pipeline {
	return &Pipeline{s: s, ctx: ctx, waiting: members}
}

// Join gives the context one member's reads run under.
func (p *Pipeline) Join(ctx context.Context) context.Context {
	return context.WithValue(ctx, pipelineKey{}, &pipelineMember{p: p})
}

// Leave ends a member (whether or not it read anything); the batch goes once no member is
// still expected.
func (p *Pipeline) Leave(ctx context.Context) {
	m, ok := ctx.Value(pipelineKey{}).(*pipelineMember)
	if !ok || m.p != p {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if m.left {
		return
	}
	m.left = true
	if !m.queued {
		p.arrived()
	}
}

// arrived counts one member as settled and sends the batch when it was the last (p.mu held).
func (p *Pipeline) arrived() {
	p.waiting--
	if p.waiting == 0 && !p.sent {
		p.sent = true
		switch len(p.queued) {
		case 0:
		case 1: // nothing to share a round trip with
			p.queued[0].answer <- pipedAnswer{alone: true}
		default:
			qs := p.queued
			Go(func() { p.send(qs) })
		}
	}
}

// query runs a statement for the member in ctx: its first through the pipeline, any other
// alone. ok is false when ctx is not a member's.
func (p *Pipeline) query(ctx context.Context, sql string, args []any) (pgx.Rows, error, bool) {
	m, ok := ctx.Value(pipelineKey{}).(*pipelineMember)
	if !ok || m.p != p {
		return nil, nil, false
	}
	p.mu.Lock()
	if p.sent || m.queued || m.left {
		p.mu.Unlock()
		return nil, nil, false
	}
	q := &pipedQuery{sql: sql, args: args, answer: make(chan pipedAnswer, 1)}
	m.queued = true
	p.queued = append(p.queued, q)
	p.arrived()
	p.mu.Unlock()
	select {
	case a := <-q.answer:
		return a.rows, a.err, !a.alone
	case <-ctx.Done():
		// The batch still answers q (into its buffer) and drains its rows, so nothing waits on us.
		return nil, ctx.Err(), true
	}
}

// send runs the queued statements as one batch and hands each member its rows in turn: the
// next result is read only once the previous member has closed its rows.
func (p *Pipeline) send(qs []*pipedQuery) {
	b := &pgx.Batch{}
	for _, q := range qs {
		b.Queue(q.sql, q.args...)
	}
	br := p.s.pool.SendBatch(p.ctx, b)
	for _, q := range qs {
		rows, err := br.Query()
		if err != nil {
			q.answer <- pipedAnswer{err: err}
			continue
		}
		pr := &pipedRows{Rows: rows, closed: make(chan struct{})}
		q.answer <- pipedAnswer{rows: pr} // buffered: never blocks
		select {
		case <-pr.closed:
		case <-p.ctx.Done():
			rows.Close()
		}
	}
	br.Close() //nolint:errcheck // each member has seen its own statement's error
}

// pipedRows signals the batch when its member has closed them.
type pipedRows struct {
	pgx.Rows
	closed chan struct{}
	once   sync.Once
}

func (r *pipedRows) Close() {
	r.Rows.Close()
	r.once.Do(func() { close(r.closed) })
}

// query runs a statement through the pipeline of ctx when there is one, else on the pool.
func (s *Store) query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if m, ok := ctx.Value(pipelineKey{}).(*pipelineMember); ok {
		if rows, err, piped := m.p.query(ctx, sql, args); piped {
			return rows, err
		}
	}
	return s.pool.Query(ctx, sql, args...)
}
