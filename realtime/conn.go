package realtime

import (
	"context"
	"sync"
)

// Close codes the server ends a WebSocket connection with. 4401 and 4403 are the
// graphql-transport-ws codes for an unauthenticated and a forbidden client; 4429 and 4500 are
// in the protocol's range for the server's own reasons.
const (
	CloseGoingAway    = 1001 // the server is shutting down
	CloseUnauthorized = 4401 // no token in connection_init
	CloseForbidden    = 4403 // the token is invalid, or expired while the connection was open
	CloseSlowConsumer = 4429 // the client did not read its events fast enough
)

// Conn is one WebSocket connection's state: the subscriptions it holds against its limit, the
// token they count against, and how the server closes it with a code.
type Conn struct {
	Token string // the limit key of the connection's token

	mu    sync.Mutex
	subs  int
	limit int
	close func(code int, reason string)
}

// NewConn makes the state of a connection holding at most limit subscriptions, closed by close.
func NewConn(limit int, close func(code int, reason string)) *Conn {
	return &Conn{limit: limit, close: close}
}

// Acquire takes one of the connection's subscriptions; false when all are taken.
func (c *Conn) Acquire() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs >= c.limit {
		return false
	}
	c.subs++
	return true
}

// Release gives a subscription back.
func (c *Conn) Release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subs--
}

// Close ends the connection with code and reason.
func (c *Conn) Close(code int, reason string) {
	if c.close != nil {
		c.close(code, reason)
	}
}

type connKey struct{}

// WithConn gives ctx carrying the connection's state.
func WithConn(ctx context.Context, c *Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// ConnFrom gives the connection's state; nil outside a WebSocket connection.
func ConnFrom(ctx context.Context) *Conn {
	c, _ := ctx.Value(connKey{}).(*Conn)
	return c
}
