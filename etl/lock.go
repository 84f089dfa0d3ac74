package etl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// lockKey is the advisory lock that lets one ETL at a time write a warehouse from a Postgres
// database (7_283_001 and 7_283_002 serialise migrations and test templates).
const lockKey = 7_283_010

// ErrLocked means another ETL holds the lock.
var ErrLocked = errors.New("another ETL is running on this database")

// lease holds the lock on a connection of its own: the lock lives as long as that session.
type lease struct {
	pool *pgxpool.Pool
	conn *pgxpool.Conn
}

// acquire takes the lock, or, with wait, polls until it gets it. Polling (rather than a
// blocking pg_advisory_lock) keeps the wait cancellable and lets it say who holds the lock.
func acquire(ctx context.Context, pool *pgxpool.Pool, wait bool, log func(string, ...any)) (*lease, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("etl lock: %w", err)
	}
	if _, err := conn.Exec(ctx, `SET application_name = 'gridgov etl'`); err != nil {
		conn.Release()
		return nil, fmt.Errorf("etl lock: %w", err)
	}
	logged := false
	for {
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey).Scan(&ok); err != nil {
			conn.Release()
			return nil, fmt.Errorf("etl lock: %w", err)
		}
		if ok {
			return &lease{pool: pool, conn: conn}, nil
		}
		holder := lockHolder(ctx, pool)
		if !wait {
			conn.Release()
			return nil, fmt.Errorf("%w (%s); it keeps the warehouse current, so this one stops; use --wait to run after it", ErrLocked, holder)
		}
		if !logged {
			log("waiting for another ETL to finish", "holder", holder)
			logged = true
		}
		select {
		case <-ctx.Done():
			conn.Release()
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// lockHolder describes the session holding the lock, for the message.
func lockHolder(ctx context.Context, pool *pgxpool.Pool) string {
	var pid int
	var app, since string
	err := pool.QueryRow(ctx, `SELECT a.pid, coalesce(a.application_name, ''), to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ')
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = $1 AND l.granted AND l.database =
			(SELECT oid FROM pg_database WHERE datname = current_database())`, lockKey).Scan(&pid, &app, &since)
	if err != nil {
		return "holder unknown"
	}
	return fmt.Sprintf("held by Postgres backend %d, %q, connected since %s", pid, app, since)
}

// check says whether the lock is still held: a dropped connection loses it.
func (l *lease) check(ctx context.Context) error {
	if _, err := l.conn.Exec(ctx, `SELECT 1`); err != nil {
		return fmt.Errorf("etl lock lost: %w", err)
	}
	return nil
}

func (l *lease) release() {
	if l == nil || l.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, lockKey); err != nil {
		// The session may be broken; closing it releases the lock for sure.
		l.conn.Conn().Close(ctx) //nolint:errcheck
	}
	l.conn.Release()
	l.conn = nil
}
