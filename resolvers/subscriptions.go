package resolvers

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/graph"
	"gridgov/loaders"
	"gridgov/realtime"
	"gridgov/store"
)

func (r *Resolver) Subscription() graph.SubscriptionResolver { return &subscriptionResolver{r} }

type subscriptionResolver struct{ *Resolver }

func (r *subscriptionResolver) IssueChanged(ctx context.Context) (<-chan *store.Issue, error) {
	return changes[*store.Issue](ctx, r.Resolver, "issue", "Issue")
}

func (r *subscriptionResolver) ServiceOrderChanged(ctx context.Context) (<-chan *store.ServiceOrder, error) {
	return changes[*store.ServiceOrder](ctx, r.Resolver, "service_order", "ServiceOrder")
}

func (r *subscriptionResolver) CheckinChanged(ctx context.Context) (<-chan *store.Checkin, error) {
	return changes[*store.Checkin](ctx, r.Resolver, "checkin", "Checkin")
}

// changes subscribes to the outbox events of kind and sends, for each, the object it names as
// node(id:) reads it for the subscriber: within their scope, in a read of its own. An object
// the subscriber cannot read is not sent. A subscriber that fell behind by a whole buffer has
// its connection closed (CloseSlowConsumer).
func changes[T any](ctx context.Context, r *Resolver, kind, typ string) (<-chan T, error) {
	conn := realtime.ConnFrom(ctx)
	if r.Realtime == nil || conn == nil {
		return nil, apperr.New(apperr.Unavailable, "subscriptions are served over WebSocket (graphql-transport-ws) only")
	}
	// gqlgen's root-field interceptors, where the policy of queries and mutations is checked,
	// do not see subscriptions: the policy is checked here.
	if name := graphql.GetFieldContext(ctx).Field.Name; !auth.AllowedCtx(ctx, "Subscription", name) {
		r.Realtime.Metrics().Refused("role")
		return nil, apperr.New(apperr.Forbidden, "the role may not use %s", name)
	}
	if !conn.Acquire() {
		r.Realtime.Metrics().Refused("connection")
		return nil, apperr.New(apperr.RateLimited, "a connection holds at most %d subscriptions", r.Realtime.Limits().PerConnection)
	}
	sub, err := r.Realtime.Subscribe(kind, conn.Token, auth.ScopeFrom(ctx))
	if err != nil {
		conn.Release()
		return nil, apperr.New(apperr.RateLimited, "a token holds at most %d subscriptions", r.Realtime.Limits().PerToken)
	}
	out := make(chan T)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				slog.Error("subscription panic", "kind", kind, "panic", fmt.Sprint(v))
			}
			r.Realtime.Unsubscribe(sub)
			conn.Release()
			close(out)
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.Dropped:
				closeSlow(r.Realtime, conn)
				return
			case e := <-sub.Events():
				v, err := readShared(ctx, r, e, typ)
				if err != nil || v == nil {
					continue // out of scope, deleted, or not readable now: nothing to send
				}
				select {
				case out <- v.(T):
					r.Realtime.Metrics().Delivered.WithLabelValues(kind).Inc()
					r.Realtime.Metrics().Latency.Observe(time.Since(e.At).Seconds())
				case <-ctx.Done():
					return
				case <-sub.Dropped: // the client stopped reading: the send above waits on its socket
					closeSlow(r.Realtime, conn)
					return
				}
			}
		}
	}()
	return out, nil
}

// closeSlow closes the connection of a subscriber that fell a whole buffer behind.
func closeSlow(hub *realtime.Hub, conn *realtime.Conn) {
	hub.Metrics().Closed.WithLabelValues("slow_consumer").Inc()
	conn.Close(realtime.CloseSlowConsumer, "slow consumer: events were not read in time")
}

// sharedRead is an event's object as one scope reads it, read by the first of the scope's
// subscribers to ask.
type sharedRead struct {
	once sync.Once
	v    any
	err  error
}

// readShared reads the object e names as node(id:) reads it in the subscriber's scope, once
// for every subscriber of that scope; the read outlives the subscriber that made it, so the
// others still get it when that one hangs up.
func readShared(ctx context.Context, r *Resolver, e realtime.Event, typ string) (any, error) {
	sc := auth.ScopeFrom(ctx)
	sr := e.Shared(sc, func() any { return &sharedRead{} }).(*sharedRead)
	sr.once.Do(func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
		defer cancel()
		sr.v, sr.err = types[typ].node(loaders.With(rctx, loaders.New(r.Store, sc)), e.EntityID)
	})
	return sr.v, sr.err
}

// readTimeout bounds the read of an event's object.
const readTimeout = 10 * time.Second
