// Package resolvers answers gridgov's GraphQL API over the store. The root fields' resolvers
// are written by hand and stay short: arguments → access check (scope and actor from auth) →
// one store call. Every other field is declared once with its type (types.go, declare.go);
// from the declarations, the API's executor (exec.go) reads a query level by level, one
// round trip a level, and writes the answer, and gqlgen's executor, the reference it is
// compared with, resolves them through generated one-line resolvers (fields_gen.go).
package resolvers

import (
	"gridgov/evidence"
	"gridgov/graph"
	"gridgov/realtime"
	"gridgov/store"
	"gridgov/webhook"
)

// Resolver holds the dependencies every resolver needs; nothing else.
type Resolver struct {
	Store *store.Store
	// Warehouse answers indicators; nil when ClickHouse is not configured.
	Warehouse IndicatorReader
	// Files keeps the bytes of attached evidence; nil refuses attachments (UNAVAILABLE).
	Files evidence.Blobs
	// Uploads bound an attached file.
	Uploads evidence.Limits
	// Realtime hands the outbox's events to subscriptions; nil: subscriptions are UNAVAILABLE.
	Realtime *realtime.Hub
	// WebhookGuard checks the addresses of webhook endpoints at registration.
	WebhookGuard webhook.Guard
}

// New builds the resolver root for the generated executor.
func New(s *store.Store) *Resolver { return &Resolver{Store: s, Uploads: evidence.DefaultLimits()} }

var _ graph.ResolverRoot = (*Resolver)(nil)
