package resolvers

import (
	"context"

	"gridgov/apperr"
	"gridgov/graph"
	"gridgov/store"
)

func (r *Resolver) Query() graph.QueryResolver       { return &queryResolver{r} }
func (r *Resolver) Mutation() graph.MutationResolver { return &mutationResolver{r} }

type queryResolver struct{ *Resolver }
type mutationResolver struct{ *Resolver }

// Node finds any object by its global id, through the source its type declares (types.go).
// A malformed id is BAD_USER_INPUT; an id that names nothing the caller can see is NOT_FOUND.
func (r *queryResolver) Node(ctx context.Context, id string) (store.Entity, error) {
	typ, n, ok := parseGlobalID(id)
	if !ok {
		return nil, apperr.Invalid("id", "not a valid id")
	}
	t := types[typ]
	if t == nil || t.node == nil {
		return nil, apperr.Invalid("id", "no object has an id of this kind")
	}
	if typ == "AuditRecord" && !auditReader(ctx) {
		return nil, notFound("node")
	}
	v, err := t.node(ctx, n)
	if err == nil && v == nil {
		return nil, notFound("node")
	}
	return v, err
}
