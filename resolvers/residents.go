package resolvers

import (
	"context"

	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/graph"
	"gridgov/graph/model"
	"gridgov/store"
)

func (r *Resolver) Resident() graph.ResidentResolver { return &residentResolver{r} }

// Residents lists residents' information records (居民信息) in the caller's scope. Personal
// fields are reached only through person, where Person's masking applies.
func (r *queryResolver) Residents(ctx context.Context, filter *model.ResidentFilter, first *int, after *string, last *int, before *string) (*model.ResidentConnection, error) {
	var f store.ResidentFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		if f.BuildingID, err = optID("buildingId", "Building", filter.BuildingID); err != nil {
			return nil, err
		}
		if f.CollectedBy, err = optID("collectedById", "Cadre", filter.CollectedByID); err != nil {
			return nil, err
		}
		if filter.Collected != nil {
			f.From, f.To = filter.Collected.From, filter.Collected.To
		}
		f.IsPartyMember, f.Search = filter.IsPartyMember, str(filter.Search)
	}
	c, list, err := r.Store.Residents(ctx, scope(ctx), f, page(first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n, err := connection(ctx, c, list, func(cur string, n *store.Resident) *model.ResidentEdge {
		return &model.ResidentEdge{Cursor: cur, Node: n}
	})
	return &model.ResidentConnection{Edges: es, PageInfo: pi, TotalCount: n}, err
}

type residentResolver struct{ *Resolver }

func (residentResolver) Person(ctx context.Context, o *store.Resident) (*store.Person, error) {
	return must(ctx, For(ctx).RelatedPerson, o.PersonID, "person")
}
func (residentResolver) Grid(ctx context.Context, o *store.Resident) (*store.Grid, error) {
	return must(ctx, For(ctx).Grid, o.GridID, "grid")
}
func (residentResolver) Building(ctx context.Context, o *store.Resident) (*store.Building, error) {
	return must(ctx, For(ctx).Building, o.BuildingID, "building")
}

// CollectedBy is null when the cadre is not recorded; a cadre serving outside the caller's
// scope (a street cadre seen from a community) is shown, as the record names them.
func (residentResolver) CollectedBy(ctx context.Context, o *store.Resident) (*store.Cadre, error) {
	return load(ctx, For(ctx).RelatedCadre, o.CollectedBy)
}

func (p *planner) residents(rs []*store.Resident, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Resident") {
		switch f.Name {
		case "person":
			out = append(out, rel(p.l.RelatedPerson, idsOfObjs(rs, func(o *store.Resident) int64 { return o.PersonID }), then(p.people, f.Selections)))
		case "grid":
			out = append(out, rel(p.l.Grid, idsOfObjs(rs, func(o *store.Resident) int64 { return o.GridID }), then(p.grids, f.Selections)))
		case "building":
			out = append(out, rel(p.l.Building, idsOfObjs(rs, func(o *store.Resident) int64 { return o.BuildingID }), then(p.buildings, f.Selections)))
		case "collectedBy":
			out = append(out, rel(p.l.RelatedCadre, optIDsOfObjs(rs, func(o *store.Resident) *int64 { return o.CollectedBy }), then(p.cadres, f.Selections)))
		}
	}
	return out
}
