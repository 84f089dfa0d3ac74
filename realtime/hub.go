// Package realtime hands the events of the transactional outbox (schema/postgres/00027) to the
// subscribers of this process. A Hub reads the outbox behind the transaction horizon — woken by
// NOTIFY gridgov_outbox on a connection of its own, polling as the floor — and fans each event
// out to the subscriptions of its kind, each with a bounded buffer: a subscriber that does not
// keep up is dropped rather than slowing the others. Every serve process runs a Hub, so an
// event reaches the subscribers of every process whichever one wrote it.
package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
)

// Event is one outbox row: a step written to an issue's, order's or check-in's history.
type Event struct {
	ID        int64
	Kind      string // issue, service_order, checkin
	EntityID  int64
	HistoryID int64
	Action    string
	ToState   string
	Street    int64
	Community int64
	Grid      int64 // 0: none
	At        time.Time

	shared *sync.Map // what the subscribers of this event read alike, by key
}

// Shared gives the value its subscribers share under key, made by mk by the first to ask: the
// object an event names is read once for all subscribers of one scope.
func (e Event) Shared(key any, mk func() any) any {
	if e.shared == nil {
		return mk()
	}
	if v, ok := e.shared.Load(key); ok {
		return v
	}
	v, _ := e.shared.LoadOrStore(key, mk())
	return v
}

// Limits bound what subscribers may hold; zero values take the defaults.
type Limits struct {
	PerConnection int // subscriptions one WebSocket connection may hold
	PerToken      int // subscriptions one token may hold in this process
	Buffer        int // events waiting for one subscriber; a full buffer drops it
}

// DefaultLimits are config's defaults.
func DefaultLimits() Limits { return Limits{PerConnection: 10, PerToken: 20, Buffer: 64} }

// Hub reads the outbox and fans events out to the subscriptions of this process.
type Hub struct {
	pool   *pgxpool.Pool
	log    *slog.Logger
	m      *Metrics
	limits Limits
	// Poll is the floor: the outbox is read at least this often without a notification.
	Poll time.Duration

	mu      sync.Mutex
	subs    map[*Sub]struct{}
	byToken map[string]int
	conns   map[*Conn]struct{} // the open connections GoAway closes
	leaving bool               // GoAway began: a connection tracked now is closed at once
}

// NewHub makes a hub over pool; Run starts it.
func NewHub(pool *pgxpool.Pool, log *slog.Logger, reg prometheus.Registerer, l Limits) *Hub {
	d := DefaultLimits()
	if l.PerConnection <= 0 {
		l.PerConnection = d.PerConnection
	}
	if l.PerToken <= 0 {
		l.PerToken = d.PerToken
	}
	if l.Buffer <= 0 {
		l.Buffer = d.Buffer
	}
	h := &Hub{pool: pool, log: log, m: NewMetrics(reg), limits: l, Poll: time.Second,
		subs: map[*Sub]struct{}{}, byToken: map[string]int{}, conns: map[*Conn]struct{}{}}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "gridgov", Subsystem: "realtime",
		Name: "subscriptions", Help: "Open subscriptions in this process."}, func() float64 { return float64(h.Subscriptions()) }))
	return h
}

// Limits gives the hub's limits.
func (h *Hub) Limits() Limits { return h.limits }

// Metrics gives the hub's metrics.
func (h *Hub) Metrics() *Metrics { return h.m }

// Sub is one subscription: the events of its kind within its place scope (a prefilter; the
// subscriber still reads each object within its own scope).
type Sub struct {
	Kind  string
	scope auth.Scope
	token string
	c     chan Event
	// Dropped is closed when the subscriber fell behind by a whole buffer.
	Dropped chan struct{}
	once    sync.Once
}

// Events gives the subscription's events.
func (s *Sub) Events() <-chan Event { return s.c }

// ErrTokenLimit refuses a subscription beyond the per-token limit.
var ErrTokenLimit = errors.New("too many subscriptions for this token")

// Subscribe opens a subscription to kind for a token (its limit key) within scope.
func (h *Hub) Subscribe(kind, token string, sc auth.Scope) (*Sub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byToken[token] >= h.limits.PerToken {
		h.m.refused.WithLabelValues("token").Inc()
		return nil, ErrTokenLimit
	}
	h.byToken[token]++
	s := &Sub{Kind: kind, scope: sc, token: token, c: make(chan Event, h.limits.Buffer), Dropped: make(chan struct{})}
	h.subs[s] = struct{}{}
	return s, nil
}

// Unsubscribe closes s; it may be called more than once.
func (h *Hub) Unsubscribe(s *Sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	if h.byToken[s.token]--; h.byToken[s.token] <= 0 {
		delete(h.byToken, s.token)
	}
}

// inScope is the place prefilter: an event outside the subscriber's street, community or grid
// is not theirs. A unit admin's or a person's own scope is decided by reading the object.
func inScope(sc auth.Scope, e Event) bool {
	switch {
	case sc.StreetID != 0 && sc.StreetID != e.Street:
		return false
	case sc.CommunityID != 0 && sc.CommunityID != e.Community:
		return false
	case sc.GridID != 0 && e.Grid != 0 && sc.GridID != e.Grid:
		return false
	}
	return true
}

// fanOut hands e to every subscription of its kind in scope; one whose buffer is full is
// dropped (Dropped closed) and removed.
func (h *Hub) fanOut(e Event) {
	e.shared = &sync.Map{}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.Kind != e.Kind || !inScope(s.scope, e) {
			continue
		}
		select {
		case s.c <- e:
			h.m.sent.WithLabelValues(e.Kind).Inc()
		default:
			s.once.Do(func() { close(s.Dropped) })
			delete(h.subs, s)
			if h.byToken[s.token]--; h.byToken[s.token] <= 0 {
				delete(h.byToken, s.token)
			}
			h.m.dropped.Inc()
		}
	}
}

// Run reads the outbox until ctx ends, reconnecting after a failure; it returns ctx's error.
// A panic in a round is recovered and logged, and the hub goes on.
func (h *Hub) Run(ctx context.Context) error {
	r := &reader{}
	for ctx.Err() == nil {
		err := h.listen(ctx, r)
		if ctx.Err() != nil {
			break
		}
		h.m.failures.Inc()
		h.log.Warn("realtime: outbox reader restarts", "err", fmt.Sprint(err))
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return ctx.Err()
}

// listen holds a connection that LISTENs, and reads the outbox on each notification or Poll.
func (h *Hub) listen(ctx context.Context, r *reader) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	conn, err := pgx.ConnectConfig(ctx, h.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN gridgov_outbox"); err != nil {
		return err
	}
	for {
		if err := h.readOnce(ctx, r); err != nil {
			return err
		}
		wait, cancel := context.WithTimeout(ctx, h.Poll)
		_, err := conn.WaitForNotification(wait)
		cancel()
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
}

// readOnce reads the new outbox rows and fans them out.
func (h *Hub) readOnce(ctx context.Context, r *reader) error {
	began := time.Now()
	events, err := r.read(ctx, h.pool)
	if err != nil {
		return err
	}
	h.m.reads.Observe(time.Since(began).Seconds())
	for _, e := range events {
		h.fanOut(e)
	}
	return nil
}

// reader follows the outbox behind the transaction horizon. Every row of a transaction older
// than floor was handed on; seen holds the rows of newer transactions handed on already (a
// long transaction holds the horizon back, and its newer neighbours are read again until it
// ends). A reader starts at the horizon of its first read: what committed before is not news.
type reader struct {
	started bool
	floor   uint64
	seen    map[int64]uint64 // outbox id → its transaction
}

func (r *reader) read(ctx context.Context, pool *pgxpool.Pool) ([]Event, error) {
	if !r.started {
		if err := pool.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::numeric::bigint`).Scan(&r.floor); err != nil {
			return nil, err
		}
		r.started, r.seen = true, map[int64]uint64{}
		return nil, nil
	}
	rows, err := pool.Query(ctx, `
		SELECT pg_snapshot_xmin(pg_current_snapshot())::text::numeric::bigint, o.id, o.kind, o.entity_id, o.history_id,
		       o.action, o.to_state, o.street_id, o.community_id, coalesce(o.grid_id, 0), o.at, o.row_xid::text::numeric::bigint
		FROM outbox o WHERE o.row_xid >= $1::text::xid8 ORDER BY o.id`, strconv.FormatUint(r.floor, 10))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	horizon, n := r.floor, 0
	for rows.Next() {
		n++
		var e Event
		var xid uint64
		if err := rows.Scan(&horizon, &e.ID, &e.Kind, &e.EntityID, &e.HistoryID, &e.Action, &e.ToState,
			&e.Street, &e.Community, &e.Grid, &e.At, &xid); err != nil {
			return nil, err
		}
		if _, ok := r.seen[e.ID]; !ok {
			r.seen[e.ID] = xid
			out = append(out, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		// No row: the horizon comes from a statement of its own.
		if err := pool.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::numeric::bigint`).Scan(&horizon); err != nil {
			return nil, err
		}
	}
	r.advance(horizon)
	return out, nil
}

// advance moves the floor to the horizon, forgetting the rows below it.
func (r *reader) advance(horizon uint64) {
	if horizon <= r.floor {
		return
	}
	r.floor = horizon
	for id, xid := range r.seen {
		if xid < horizon {
			delete(r.seen, id)
		}
	}
}

// Subscriptions gives how many subscriptions the hub holds.
func (h *Hub) Subscriptions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Track holds c among the connections GoAway closes; the connection calls the function it
// gives once it ends. A connection tracked after GoAway began is closed at once.
func (h *Hub) Track(c *Conn) (untrack func()) {
	h.mu.Lock()
	leaving := h.leaving
	h.conns[c] = struct{}{}
	h.mu.Unlock()
	if leaving {
		h.goAway(c)
	}
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.conns, c)
	}
}

// GoAway closes every tracked connection with CloseGoingAway, as the server shuts down, and
// waits until they have ended or ctx ends; it gives ctx's error when some were still open.
func (h *Hub) GoAway(ctx context.Context) error {
	h.mu.Lock()
	h.leaving = true
	conns := make([]*Conn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		go h.goAway(c) // a close waits for the client's answer
	}
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for h.connections() > 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d WebSocket connections still open: %w", h.connections(), ctx.Err())
		case <-t.C:
		}
	}
	return nil
}

func (h *Hub) goAway(c *Conn) {
	h.m.Closed.WithLabelValues("going_away").Inc()
	c.Close(CloseGoingAway, "the server is shutting down")
}

func (h *Hub) connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}
