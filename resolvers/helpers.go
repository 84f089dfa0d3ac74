package resolvers

import (
	"context"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/graph/model"
	"gridgov/loaders"
	"gridgov/store"
)

func notFound(what string) error { return apperr.New(apperr.NotFound, "%s not found", what) }

// scope is the access-check hook every read goes through: the part of the place tree the
// caller may see, applied by the store in SQL, as the token narrows it.
func scope(ctx context.Context) auth.Scope { return auth.ScopeFrom(ctx) }

// actor is the access-check hook of every mutation: who acts, or UNAUTHENTICATED.
func actor(ctx context.Context) (auth.Actor, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return auth.Actor{}, err
	}
	return *a, nil
}

// enum turns a stored value ("in_progress") into its GraphQL enum ("IN_PROGRESS").
func enum[T ~string](v string) T { return T(strings.ToUpper(v)) }

// optEnum is enum for nullable columns.
func optEnum[T ~string](v *string) *T {
	if v == nil {
		return nil
	}
	e := enum[T](*v)
	return &e
}

// stored turns a GraphQL enum into its stored value.
func stored[T ~string](v T) string { return strings.ToLower(string(v)) }

// storedAll is stored for a list.
func storedAll[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = stored(v)
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func version(v *int) *int64 {
	if v == nil {
		return nil
	}
	x := int64(*v)
	return &x
}

// page gives a store page; it asks for the total when the connection being resolved reads it.
func page(ctx context.Context, first *int, after *string, last *int, before *string) store.Page {
	return store.Page{First: first, After: after, Last: last, Before: before, Total: wantsTotal(ctx)}
}

// wantsTotal reports whether the connection being resolved asks for totalCount, so the
// count statement runs only when a client reads it.
func wantsTotal(ctx context.Context) bool {
	return slices.Contains(graphql.CollectAllFields(ctx), "totalCount")
}

// edges maps a store page to GraphQL edges.
func edges[T any, E any](c store.Conn[T], mk func(cursor string, node T) E) []E {
	out := make([]E, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = mk(e.Cursor, e.Node)
	}
	return out
}

// placeFilter decodes a PlaceScope input.
func placeFilter(p *model.PlaceScope, search *string) (store.PlaceFilter, error) {
	var f store.PlaceFilter
	f.Search = str(search)
	if p == nil {
		return f, nil
	}
	var err error
	if f.StreetID, err = optID("streetId", "Street", p.StreetID); err != nil {
		return f, err
	}
	if f.CommunityID, err = optID("communityId", "Community", p.CommunityID); err != nil {
		return f, err
	}
	if f.GridID, err = optID("gridId", "Grid", p.GridID); err != nil {
		return f, err
	}
	return f, nil
}

// connection finishes a list: its edges, page information and total.
func connection[T any, E any](c store.Conn[T], mk func(cursor string, node T) E) ([]E, *store.PageInfo, int) {
	return edges(c, mk), &c.PageInfo, c.Total
}

// storeOf gives the store of the request (the one its cache reads from).
func storeOf(ctx context.Context) *store.Store { return loaders.For(ctx).Store() }

// mustRead reads one row by id for a root field; a missing row (deleted, or out of scope) is
// NOT_FOUND naming what was looked for.
func mustRead[V any](ctx context.Context, src *store.Source[int64, *V], id int64, what string) (*V, error) {
	v, err := loaders.Load(ctx, loaders.For(ctx), src, id)
	if err == nil && v == nil {
		return nil, notFound(what)
	}
	return v, err
}
