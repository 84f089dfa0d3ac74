package resolvers

import (
	"context"

	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/graph"
	"gridgov/store"
)

func (r *Resolver) MatterEvent() graph.MatterEventResolver { return &matterEventResolver{r} }

// History gives the latest entries of a matter's history, newest last.
func (matterResolver) History(ctx context.Context, o *store.MeetingMatter, last *int) ([]*store.MatterEvent, error) {
	n, err := eventCount(last)
	if err != nil {
		return nil, err
	}
	return For(ctx).MatterEvents.Load(ctx, store.EventsKey{ID: o.ID, Last: n})
}

type matterEventResolver struct{ *Resolver }

func (matterEventResolver) Actor(ctx context.Context, o *store.MatterEvent) (*store.Person, error) {
	return load(ctx, For(ctx).RelatedPerson, o.ActorID)
}

// matters plans a meeting matter's relations: its meeting and its history with the actors.
func (p *planner) matters(ms []*store.MeetingMatter, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "MeetingMatter") {
		switch f.Name {
		case "meeting":
			out = append(out, rel(p.l.Meeting, idsOfObjs(ms, func(o *store.MeetingMatter) int64 { return o.MeetingID }), then(p.meetings, f.Selections)))
		case "history":
			if keys, ok := p.lastEvents(f, idsOfObjs(ms, func(o *store.MeetingMatter) int64 { return o.ID })); ok {
				out = append(out, rel(p.l.MatterEvents, keys, thenList(p.matterEvents, f.Selections)))
			}
		}
	}
	return out
}

func (p *planner) matterEvents(es []*store.MatterEvent, sel ast.SelectionSet) []step {
	return p.actors(sel, "MatterEvent", optIDsOfObjs(es, func(o *store.MatterEvent) *int64 { return o.ActorID }))
}
