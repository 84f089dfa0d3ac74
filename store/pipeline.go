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
//
// pgx's batch and rows are for one goroutine at a time. A member's rows are its own from
// the moment the batch hands them over until it closes them (or leaves); only then does the
// batch read the next result. Which side closes the rows of a member that gives up (its
// context ended) is decided under the pipeline's mutex: the batch, if it has not handed
// them over yet, else the member.
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
	answer chan pipedAnswer // buffered: the batch never waits to hand it over
	// Under the pipeline's mutex. answered: the answer is in the channel, and its rows are
	// the member's to close. abandoned: the member gave up first, and whatever the batch
	// reads for it the batch closes. At most one of the two is ever set.
	answered, abandoned bool
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
	rows   pgx.Rows // what the batch handed it, closed by Leave at the latest
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

// Leave ends a member (whether or not it read anything), on the goroutine that ran its reads;
// the batch goes once no member is still expected. Rows the batch handed the member and it
// left open (it panicked while reading them) are closed here, so the batch goes on.
func (p *Pipeline) Leave(ctx context.Context) {
	m, ok := ctx.Value(pipelineKey{}).(*pipelineMember)
	if !ok || m.p != p {
		return
	}
	if m.rows != nil {
		m.rows.Close()
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
			p.queued[0].give(pipedAnswer{alone: true})
		default:
			qs := p.queued
			Go(func() { p.send(qs) }, func(pn *Panic) {
				if pn != nil {
					p.fail(qs, pn)
				}
			})
		}
	}
}

// give hands a to q's member (p.mu held); false when the member has given up.
func (q *pipedQuery) give(a pipedAnswer) bool {
	if q.abandoned {
		return false
	}
	q.answered = true
	q.answer <- a
	return true
}

// query runs a statement for the member in ctx: its first through the pipeline, any other
// alone. ok is false when ctx is not a member's. A member that is handed rows owns them and
// closes them, as with any query; one whose context ends before it takes its answer
// returns the context's error, and its rows are closed by whichever side holds them.
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
		m.rows = a.rows
		return a.taken()
	case <-ctx.Done():
		if a, ok := p.abandon(q); ok && a.rows != nil {
			a.rows.Close() // handed over in the meantime: ours to close
		}
		return nil, ctx.Err(), true
	}
}

// taken gives a member its answer as query returns it; a panic of the batch is raised again
// in the member, whose caller waits for it (resolvers' Loaders.together).
func (a pipedAnswer) taken() (pgx.Rows, error, bool) {
	if pn, ok := a.err.(*Panic); ok {
		panic(pn)
	}
	return a.rows, a.err, !a.alone
}

// abandon gives up q for its member: the answer when the batch has already handed it over
// (ok), else a mark that tells the batch to keep and close what it reads for q.
func (p *Pipeline) abandon(q *pipedQuery) (a pipedAnswer, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if q.answered {
		return <-q.answer, true
	}
	q.abandoned = true
	return pipedAnswer{}, false
}

// send runs the queued statements as one batch and hands each member its rows in turn. Rows
// and the batch are read by one goroutine at a time: a member's rows are its own from the
// hand-over until it closes them, and only then does the batch read the next result. When
// the request ends, pgx cancels the statements through p.ctx and the reads fail (the
// member's rows report the error), so no one waits for long.
func (p *Pipeline) send(qs []*pipedQuery) {
	b := &pgx.Batch{}
	for _, q := range qs {
		b.Queue(q.sql, q.args...)
	}
	conn, err := p.s.pool.Acquire(p.ctx)
	if err != nil {
		for _, q := range qs {
			p.hand(q, pipedAnswer{err: err})
		}
		return
	}
	defer conn.Release() // also when pgx panics: a panic costs no connection
	br := conn.SendBatch(p.ctx, b)
	defer br.Close() //nolint:errcheck // each member has seen its own statement's error
	for _, q := range qs {
		rows, err := br.Query()
		if err != nil {
			p.hand(q, pipedAnswer{err: err})
			continue
		}
		pr := &pipedRows{Rows: rows, closed: make(chan struct{})}
		if !p.hand(q, pipedAnswer{rows: pr}) {
			rows.Close() // nobody else has seen them
			continue
		}
		<-pr.closed
	}
}

// hand gives q's member its answer unless it has given up.
func (p *Pipeline) hand(q *pipedQuery, a pipedAnswer) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return q.give(a)
}

// fail answers every member the batch has not answered yet with the batch's panic.
func (p *Pipeline) fail(qs []*pipedQuery, pn *Panic) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range qs {
		if !q.answered {
			q.give(pipedAnswer{err: pn})
		}
	}
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
