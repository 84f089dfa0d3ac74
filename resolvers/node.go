package resolvers

import (
	"context"

	"github.com/vikstrous/dataloadgen"

	"gridgov/apperr"
	"gridgov/graph"
	"gridgov/store"
)

func (r *Resolver) Query() graph.QueryResolver       { return &queryResolver{r} }
func (r *Resolver) Mutation() graph.MutationResolver { return &mutationResolver{r} }

type queryResolver struct{ *Resolver }
type mutationResolver struct{ *Resolver }

// nodeLoaders finds the loader of each Node type by the type named in a global id.
func nodeLoader(l *Loaders, typ string) func(ctx context.Context, id int64) (store.Entity, error) {
	switch typ {
	case "City":
		return entity(l.City)
	case "Street":
		return entity(l.Street)
	case "Community":
		return entity(l.Community)
	case "Grid":
		return entity(l.Grid)
	case "Building":
		return entity(l.Building)
	case "Person":
		return entity(l.Person)
	case "Unit":
		return entity(l.Unit)
	case "PartyMember":
		return entity(l.Member)
	case "Checkin":
		return entity(l.Checkin)
	case "Issue":
		return entity(l.Issue)
	case "IssueCategory":
		return entity(l.IssueCategory)
	case "ServiceOrder":
		return entity(l.Order)
	case "ServiceCategory":
		return entity(l.ServiceCategory)
	}
	return nil
}

func entity[V any](l *dataloadgen.Loader[int64, *V]) func(ctx context.Context, id int64) (store.Entity, error) {
	return func(ctx context.Context, id int64) (store.Entity, error) {
		v, err := l.Load(ctx, id)
		if err != nil || v == nil {
			return nil, err
		}
		return v, nil
	}
}

// Node finds any object by its global id. A malformed id is BAD_USER_INPUT; an id that
// names nothing the caller can see is NOT_FOUND.
func (r *queryResolver) Node(ctx context.Context, id string) (store.Entity, error) {
	typ, n, ok := parseGlobalID(id)
	if !ok {
		return nil, apperr.Invalid("id", "not a valid id")
	}
	load := nodeLoader(For(ctx), typ)
	if load == nil {
		return nil, apperr.Invalid("id", "no object has an id of this kind")
	}
	v, err := load(ctx, n)
	if err == nil && v == nil {
		return nil, notFound("node")
	}
	return v, err
}
