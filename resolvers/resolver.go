// Package resolvers implements gridgov's GraphQL resolvers over the store. Resolvers stay
// short: arguments → access check (scope and actor from auth) → one store call or loader →
// map. Child fields always go through the per-request loaders in loaders.go.
package resolvers

import (
	"gridgov/graph"
	"gridgov/store"
)

// Resolver holds the dependencies every resolver needs; nothing else.
type Resolver struct {
	Store *store.Store
	// Warehouse answers indicators; nil when ClickHouse is not configured.
	Warehouse IndicatorReader
}

// New builds the resolver root for the generated executor.
func New(s *store.Store) *Resolver { return &Resolver{Store: s} }

var _ graph.ResolverRoot = (*Resolver)(nil)
