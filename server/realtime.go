package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"gridgov/auth"
	"gridgov/loaders"
	"gridgov/observe"
	"gridgov/realtime"
	"gridgov/store"
)

// Subscriptions: graphql-transport-ws over WebSocket on /graphql, run by gqlgen's executor
// with the same field resolvers, masking and error presenter as queries. A connection is
// authenticated by the token in its connection_init payload ({"Authorization": "Bearer …"});
// a missing token closes it with 4401, a bad one with 4403, and the connection is closed with
// 4403 when its token expires; on shutdown every connection is closed with 1001 (Hub.GoAway). Each event is answered with a request cache of its own, and
// the personal data it shows is logged as a query's is (personalReads).

// wsInitTimeout bounds the wait for connection_init; wsPing is the interval of the server's
// pings (a client that does not answer two is closed).
const (
	wsInitTimeout = 10 * time.Second
	wsPing        = 30 * time.Second
)

// isWebSocket reports whether r asks to upgrade to WebSocket.
func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// wsState is what the transport's pieces share about one connection: the accepted socket, so
// the server can close it with a code of its own.
type wsState struct{ conn transport.WebsocketConn }

type wsStateKey struct{}

// acceptor accepts a connection with coder/websocket, checking the origin of browsers against
// the allowed origins, and records the socket in the request's wsState.
type acceptor struct{ origins []string }

func (a acceptor) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	impl := transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: a.origins}}
	c, err := impl.Accept(w, r, o)
	if st, ok := r.Context().Value(wsStateKey{}).(*wsState); ok && err == nil {
		st.conn = c
	}
	return c, err
}

// addWebsocket adds the graphql-transport-ws transport to srv.
func addWebsocket(srv *handler.Server, hub *realtime.Hub, authn auth.Authenticator, keys auth.Keys, now func() time.Time, origins []string) {
	if now == nil {
		now = time.Now
	}
	srv.AddTransport(transport.Websocket{
		Implementation:   acceptor{origins: origins},
		InitTimeout:      wsInitTimeout,
		PingPongInterval: wsPing,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			return wsInit(ctx, p, hub, authn, keys, now)
		},
	})
}

// wsInit authenticates a connection from its connection_init payload and puts the actor,
// scope and connection state in its context; the connection is closed when the token expires.
func wsInit(ctx context.Context, p transport.InitPayload, hub *realtime.Hub, authn auth.Authenticator, keys auth.Keys,
	now func() time.Time) (context.Context, *transport.InitPayload, error) {
	st, _ := ctx.Value(wsStateKey{}).(*wsState)
	raw := p.Authorization()
	if raw == "" {
		hub.Metrics().Closed.WithLabelValues("unauthenticated").Inc()
		return transport.WithWebsocketCloseCode(ctx, realtime.CloseUnauthorized), nil, auth.ErrNoToken
	}
	r, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/graphql", nil)
	r.Header.Set("Authorization", raw)
	actor, sc, err := authn.Authenticate(r)
	var claims auth.Claims
	if err == nil {
		_, token, _ := strings.Cut(strings.TrimSpace(raw), " ")
		claims, err = keys.Verify(strings.TrimSpace(token), now())
	}
	if err != nil || claims.ExpiresAt == nil || st == nil || st.conn == nil {
		hub.Metrics().Closed.WithLabelValues("forbidden").Inc()
		if err == nil {
			err = errors.New("the token must carry an expiry")
		}
		return transport.WithWebsocketCloseCode(ctx, realtime.CloseForbidden), nil, err
	}
	sum := sha256.Sum256([]byte(raw))
	conn := realtime.NewConn(hub.Limits().PerConnection, func(code int, reason string) {
		st.conn.WriteClose(code, reason) //nolint:errcheck // the transport ends the connection once its socket is closed
	})
	conn.Token = hex.EncodeToString(sum[:8])
	ctx = realtime.WithConn(auth.With(ctx, actor, sc), conn)
	untrack := hub.Track(conn)
	go func() {
		defer untrack()
		expire(ctx, conn, claims.ExpiresAt.Sub(now()), hub.Metrics())
		<-ctx.Done()
	}()
	return ctx, nil, nil
}

// expire closes the connection with 4403 once its token expires, unless it ended before.
func expire(ctx context.Context, conn *realtime.Conn, after time.Duration, m *realtime.Metrics) {
	t := time.NewTimer(after)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
		m.Closed.WithLabelValues("token_expired").Inc()
		conn.Close(realtime.CloseForbidden, "the token expired")
	}
}

// eventCache gives each response of a subscription (one event) a request cache of its own,
// scoped to the subscriber: what it reads is read now, not remembered from an earlier event.
func eventCache(s *store.Store, m *observe.GraphQL) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if !graphql.HasOperationContext(ctx) {
			return next(ctx)
		}
		if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != "subscription" {
			return next(ctx)
		}
		c := loaders.New(s, auth.ScopeFrom(ctx))
		c.Counted = m.ReadBatch
		return next(observe.WithGraphQL(loaders.With(ctx, c), m))
	}
}

// websocketRoute serves an upgrade request: its state goes in its context; the token comes
// later, in connection_init.
func websocketRoute(srv http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), wsStateKey{}, &wsState{})))
	})
}
