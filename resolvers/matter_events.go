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
			n, err := eventCount(intPtr(intArg(p.args(f), "last")))
			if err != nil {
				continue
			}
			keys := make([]store.EventsKey, len(ms))
			for i, o := range ms {
				keys[i] = store.EventsKey{ID: o.ID, Last: n}
			}
			out = append(out, rel(p.l.MatterEvents, keys, thenList(p.matterEvents, f.Selections)))
		}
	}
	return out
}

func (p *planner) matterEvents(es []*store.MatterEvent, sel ast.SelectionSet) []step {
	for _, f := range p.fields(sel, "MatterEvent") {
		if f.Name == "actor" {
			return []step{rel(p.l.RelatedPerson, optIDsOfObjs(es, func(o *store.MatterEvent) *int64 { return o.ActorID }), then(p.people, f.Selections))}
		}
	}
	return nil
}
