package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Replica is a streaming read replica of the primary (GRIDGOV_PG_READ_URL): the store sends
// reads there while the replica is fresh, that is while it answers and has replayed the
// primary's WAL to within MaxLag; otherwise, and for every read that follows a write of the
// same request (TrackWrites), reads go to the primary. Writes always go to the primary.
type Replica struct {
	Pool   *pgxpool.Pool
	MaxLag time.Duration
	// Every is how long a measured lag is trusted before it is measured again; default 1 s.
	Every time.Duration

	mu       sync.Mutex
	checked  time.Time
	fresh    bool
	measured time.Duration // the last lag measured
}

// lagSQL is the replica's lag: none when it has replayed all the WAL it received (an idle
// primary sends nothing new, and pg_last_xact_replay_timestamp then only ages), else the age
// of the last transaction it replayed. NULL on a server that is not a replica.
const lagSQL = `SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
	WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
	ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END::float8`

// Fresh says whether reads may go to the replica now, measuring its lag when the last
// measurement is older than Every. A replica that does not answer within a second is not fresh.
func (r *Replica) Fresh(ctx context.Context) bool {
	every := r.Every
	if every <= 0 {
		every = time.Second
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.checked) < every {
		return r.fresh
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	var lag *float64
	err := r.Pool.QueryRow(ctx, lagSQL).Scan(&lag)
	r.checked = time.Now()
	r.fresh = err == nil && lag != nil && time.Duration(*lag*float64(time.Second)) <= r.MaxLag
	if err == nil && lag != nil {
		r.measured = time.Duration(*lag * float64(time.Second))
	}
	return r.fresh
}

// Lag is the lag last measured.
func (r *Replica) Lag() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.measured
}

// WithReplica has s send reads to r while it is fresh (nil: every read to the primary).
func (s *Store) WithReplica(r *Replica) *Store {
	s.replica = r
	return s
}

// wroteKey carries the flag of a request that has written.
type wroteKey struct{}

// TrackWrites gives a request's context the flag its writes set: once a Write of the request
// has run, its reads go to the primary, which has what it wrote (the replica may not yet).
func TrackWrites(ctx context.Context) context.Context {
	return context.WithValue(ctx, wroteKey{}, new(atomic.Bool))
}

// markWrote records that the request of ctx has written.
func markWrote(ctx context.Context) {
	if f, ok := ctx.Value(wroteKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
}

// wrote says whether the request of ctx has written; a context without the flag (not a
// request of the API) counts as having written, so its reads stay on the primary.
func wrote(ctx context.Context) bool {
	f, ok := ctx.Value(wroteKey{}).(*atomic.Bool)
	return !ok || f.Load()
}

// readPool is the pool a read outside a transaction goes to.
func (s *Store) readPool(ctx context.Context) *pgxpool.Pool {
	if s.replica != nil && !wrote(ctx) && s.replica.Fresh(ctx) {
		return s.replica.Pool
	}
	return s.pool
}
