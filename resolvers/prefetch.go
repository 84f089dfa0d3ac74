package resolvers

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/resolvers/scalar"
	"gridgov/store"
)

// Prefetching makes a request's statement count a function of the query's shape alone.
//
// gqlgen resolves the items of a list concurrently, and a dataloader batches the keys that
// arrive within its wait window; under CPU load a window can close before every item has
// asked, and the batch splits. So a root field that returns objects reads, before it
// returns, every relation the query selects below it: level by level, one fetch per loader
// and level (all keys of reporter and handler go to the people loader together), straight
// into the loaders' caches. The nested resolvers then find their values cached. Relations a
// plan does not know still load through the loaders' batching, so a plan only ever saves
// statements; it never changes a result.

// maxPrefetchDepth bounds how deep a plan follows the query.
const maxPrefetchDepth = 8

// flusher is a loader with staged keys.
type flusher interface{ flush(context.Context) error }

// step is one relation of one level: keys staged in a loader, and the relations of the
// values it reads, planned once they are read.
type step struct {
	f    flusher
	next func() []step
}

// rel stages keys in l; once read, then (if any) plans the values' own relations.
func rel[K comparable, V any](l *Loader[K, V], keys []K, then func([]V) []step) step {
	l.want(keys...)
	return step{f: l, next: func() []step {
		if then == nil {
			return nil
		}
		return then(l.got(keys))
	}}
}

// planner plans the prefetch of one request's selections.
type planner struct {
	oc *graphql.OperationContext
	l  *Loaders
}

// prefetchPage reads what a connection's query selects below edges.node for nodes; the
// reads in with (the page's total count) run beside its first level.
func prefetchPage[T any](ctx context.Context, nodes []T, with ...func(context.Context)) {
	if len(nodes) == 0 {
		for _, f := range with {
			f(ctx)
		}
		return
	}
	prefetch(ctx, nodes, below(ctx, "edges", "node"), with...)
}

// prefetchOne reads what the query selects below the field resolving to v (node).
func prefetchOne[T any](ctx context.Context, v *T) {
	if v != nil {
		prefetchField(ctx, []*T{v})
	}
}

// prefetchField reads what the query selects below the field being resolved for its nodes
// (a slice of pointers to one store type).
func prefetchField(ctx context.Context, nodes any) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil {
		prefetch(ctx, nodes, fc.Field.Selections)
	}
}

func prefetch(ctx context.Context, nodes any, sel ast.SelectionSet, with ...func(context.Context)) {
	prefetchRoots(ctx, []prefetchRoot{{nodes, sel}}, with...)
}

// prefetchRoot is a slice of nodes of one store type and the selections below them.
type prefetchRoot struct {
	nodes any
	sel   ast.SelectionSet
}

// prefetchRoots reads below several roots at once: their first levels together, and so on.
func prefetchRoots(ctx context.Context, roots []prefetchRoot, with ...func(context.Context)) {
	if !graphql.HasOperationContext(ctx) {
		for _, f := range with {
			f(ctx)
		}
		return
	}
	l := For(ctx)
	p := &planner{oc: graphql.GetOperationContext(ctx), l: l}
	var steps []step
	for _, r := range roots {
		steps = append(steps, p.plan(r.nodes, r.sel)...)
	}
	for depth := 0; (len(steps) > 0 || len(with) > 0) && depth < maxPrefetchDepth; depth++ {
		var fs []flusher
		seen := map[flusher]bool{}
		for _, s := range steps {
			if !seen[s.f] {
				seen[s.f] = true
				fs = append(fs, s.f)
			}
		}
		ok := l.together(ctx, fs, with)
		with = nil
		if !ok {
			return // the resolvers load (and report) what is missing
		}
		var next []step
		for _, s := range steps {
			next = append(next, s.next()...)
		}
		steps = next
	}
}

// together flushes fs and runs with side by side, their statements sent in one round trip
// (store.Pipeline); it reports whether every flush succeeded. A panic in any of them is
// raised again here, once all have finished, on the resolver's goroutine: gqlgen's recover
// func makes it the request's INTERNAL error instead of a dead process.
func (l *Loaders) together(ctx context.Context, fs []flusher, with []func(context.Context)) bool {
	var p *store.Pipeline
	if n := len(fs) + len(with); n > 1 && l.store != nil {
		p = l.store.NewPipeline(ctx, n)
	}
	run := func(f func(context.Context)) {
		if p == nil {
			f(ctx)
			return
		}
		member := p.Join(ctx)
		defer p.Leave(member)
		f(member)
	}
	var failed atomic.Bool
	tasks := make([]func(context.Context), 0, len(fs)+len(with))
	for _, f := range fs {
		tasks = append(tasks, func(ctx context.Context) {
			if f.flush(ctx) != nil {
				failed.Store(true)
			}
		})
	}
	tasks = append(tasks, with...)
	if len(tasks) == 0 {
		return true
	}
	var wg sync.WaitGroup
	var panicked atomic.Pointer[store.Panic]
	finished := func(pn *store.Panic) {
		if pn != nil {
			panicked.CompareAndSwap(nil, pn)
		}
		wg.Done()
	}
	wg.Add(len(tasks))
	// The last task runs on this goroutine: one goroutine fewer to start, grow and wake.
	for _, t := range tasks[:len(tasks)-1] {
		store.Go(func() { run(t) }, finished)
	}
	finished(store.Run(func() { run(tasks[len(tasks)-1]) }))
	wg.Wait()
	if pn := panicked.Load(); pn != nil {
		panic(pn)
	}
	return !failed.Load()
}

// below gives the selections under a path of fields of the field being resolved.
func below(ctx context.Context, path ...string) ast.SelectionSet {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	sel, typ := fc.Field.Selections, fc.Field.Definition.Type.Name()
	for _, name := range path {
		var next ast.SelectionSet
		nextType := ""
		for _, f := range graphql.CollectFields(oc, sel, []string{typ}) {
			if f.Name == name && f.Definition != nil {
				next = append(next, f.Selections...)
				nextType = f.Definition.Type.Name()
			}
		}
		sel, typ = next, nextType
	}
	return sel
}

func (p *planner) fields(sel ast.SelectionSet, types ...string) []graphql.CollectedField {
	if len(sel) == 0 {
		return nil
	}
	return graphql.CollectFields(p.oc, sel, append(types, "Node"))
}

// args gives a field's arguments with variables and defaults applied.
func (p *planner) args(f graphql.CollectedField) map[string]any {
	return f.ArgumentMap(p.oc.Variables)
}

// intArg reads an Int argument; ok is false when it is absent or not a number.
func intArg(m map[string]any, name string) (int, bool) {
	switch v := m[name].(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		return int(v), true
	case json.Number:
		n, err := v.Int64()
		return int(n), err == nil
	}
	return 0, false
}

func boolArg(m map[string]any, name string, def bool) bool {
	if v, ok := m[name].(bool); ok {
		return v
	}
	return def
}

func idsOfObjs[T any](os []*T, f func(*T) int64) []int64 {
	out := make([]int64, 0, len(os))
	for _, o := range os {
		out = append(out, f(o))
	}
	return out
}

func optIDsOfObjs[T any](os []*T, f func(*T) *int64) []int64 {
	out := make([]int64, 0, len(os))
	for _, o := range os {
		if id := f(o); id != nil {
			out = append(out, *id)
		}
	}
	return out
}

func nonNil[T any](vs []*T) []*T {
	out := vs[:0:0]
	for _, v := range vs {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

func flat[T any](vs [][]*T) []*T {
	var out []*T
	for _, v := range vs {
		out = append(out, v...)
	}
	return out
}

// then adapts a plan of one type to a step's continuation.
func then[T any](plan func([]*T, ast.SelectionSet) []step, sel ast.SelectionSet) func([]*T) []step {
	if len(sel) == 0 {
		return nil
	}
	return func(vs []*T) []step { return plan(nonNil(vs), sel) }
}

func thenList[T any](plan func([]*T, ast.SelectionSet) []step, sel ast.SelectionSet) func([][]*T) []step {
	return func(vs [][]*T) []step {
		if len(sel) == 0 {
			return nil
		}
		return plan(flat(vs), sel)
	}
}

func (p *planner) plan(nodes any, sel ast.SelectionSet) []step {
	switch v := nodes.(type) {
	case []*store.Issue:
		return p.issues(v, sel)
	case []*store.ServiceOrder:
		return p.orders(v, sel)
	case []*store.PartyMember:
		return p.members(v, sel)
	case []*store.Person:
		return p.people(v, sel)
	case []*store.Grid:
		return p.grids(v, sel)
	case []*store.Community:
		return p.communities(v, sel)
	case []*store.Street:
		return p.streets(v, sel)
	case []*store.Building:
		return p.buildings(v, sel)
	case []*store.Checkin:
		return p.checkins(v, sel)
	case []*store.ServiceRecord:
		return p.records(v, sel)
	case []*store.Activity:
		return p.activities(v, sel)
	case []*store.Volunteer:
		return p.volunteers(v, sel)
	case []*store.VolunteerTeam:
		return p.teams(v, sel)
	case []*store.JointMeeting:
		return p.meetings(v, sel)
	case []*store.Cadre:
		return p.cadres(v, sel)
	case []*store.WorkLog:
		return p.workLogs(v, sel)
	case []*store.Pairing:
		return p.pairings(v, sel)
	case []*store.GridAssignment:
		return p.assignments(v, sel)
	case []*store.RedSteward:
		return p.personRoles(idsOfObjs(v, func(o *store.RedSteward) int64 { return o.PersonID }), "RedSteward", sel,
			map[string][]int64{"grid": idsOfObjs(v, func(o *store.RedSteward) int64 { return o.GridID })})
	case []*store.GovernanceInstructor:
		return p.personRoles(idsOfObjs(v, func(o *store.GovernanceInstructor) int64 { return o.PersonID }), "GovernanceInstructor", sel,
			map[string][]int64{"community": idsOfObjs(v, func(o *store.GovernanceInstructor) int64 { return o.CommunityID })})
	case []*store.Partner:
		return p.personRoles(idsOfObjs(v, func(o *store.Partner) int64 { return o.PersonID }), "Partner", sel,
			map[string][]int64{"community": idsOfObjs(v, func(o *store.Partner) int64 { return o.CommunityID })})
	case []*store.Resident:
		return p.residents(v, sel)
	case []*store.DutyShift:
		return p.dutyShifts(v, sel)
	case []*store.MediationRoomMember:
		return p.mediationMembers(v, sel)
	case []*store.MeetingMatter:
		return p.matters(v, sel)
	case []*store.RosterEntry:
		return p.roster(v, sel)
	case []*store.Facility:
		return p.facilities(v, sel)
	case []*store.Compound:
		return p.compounds(v, sel)
	case []*store.Intersection:
		return p.intersections(v, sel)
	case []*store.SocialOrganisation:
		return p.organisations(v, sel)
	case []*store.VentureProject:
		return p.projects(v, sel)
	case []*store.YearRating:
		return p.ratings(v, sel)
	case []*store.BuildingAppointment:
		return p.appointments(v, sel)
	case []*store.ActivityParticipant:
		return p.participants(v, sel)
	case []*store.AuditRecord:
		return p.auditRecords(v, sel)
	}
	return nil
}

func (p *planner) issues(os []*store.Issue, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Issue") {
		switch f.Name {
		case "category":
			out = append(out, rel(p.l.IssueCategory, idsOfObjs(os, func(o *store.Issue) int64 { return o.CategoryID }), nil))
		case "grid":
			out = append(out, rel(p.l.Grid, idsOfObjs(os, func(o *store.Issue) int64 { return o.GridID }), then(p.grids, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(os, func(o *store.Issue) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "building":
			out = append(out, rel(p.l.Building, optIDsOfObjs(os, func(o *store.Issue) *int64 { return o.BuildingID }), then(p.buildings, f.Selections)))
		case "reporter":
			out = append(out, rel(p.l.RelatedPerson, idsOfObjs(os, func(o *store.Issue) int64 { return o.ReporterID }), then(p.people, f.Selections)))
		case "handler":
			out = append(out, rel(p.l.RelatedPerson, optIDsOfObjs(os, func(o *store.Issue) *int64 { return o.HandlerPersonID }), then(p.people, f.Selections)))
		case "handlerUnit":
			out = append(out, rel(p.l.Unit, optIDsOfObjs(os, func(o *store.Issue) *int64 { return o.HandlerUnitID }), nil))
		case "events":
			if keys, ok := p.lastEvents(f, idsOfObjs(os, func(o *store.Issue) int64 { return o.ID })); ok {
				out = append(out, rel(p.l.IssueEvents, keys, thenList(p.issueEvents, f.Selections)))
			}
		case "mediators":
			out = append(out, rel(p.l.Mediators, idsOfObjs(os, func(o *store.Issue) int64 { return o.ID }), thenList(p.mediators, f.Selections)))
		}
	}
	return out
}

func intPtr(n int, ok bool) *int {
	if !ok {
		return nil
	}
	return &n
}

func (p *planner) issueEvents(es []*store.IssueEvent, sel ast.SelectionSet) []step {
	return p.actors(sel, "IssueEvent", optIDsOfObjs(es, func(o *store.IssueEvent) *int64 { return o.ActorID }))
}

// lastEvents gives the keys of the last N entries (a history field's last argument) of the
// histories of ids; ok is false for a count the field refuses.
func (p *planner) lastEvents(f graphql.CollectedField, ids []int64) ([]store.EventsKey, bool) {
	n, err := eventCount(intPtr(intArg(p.args(f), "last")))
	if err != nil {
		return nil, false
	}
	keys := make([]store.EventsKey, len(ids))
	for i, id := range ids {
		keys[i] = store.EventsKey{ID: id, Last: n}
	}
	return keys, true
}

// actors plans the actor (a person) of history entries of type typ.
func (p *planner) actors(sel ast.SelectionSet, typ string, actorIDs []int64) []step {
	for _, f := range p.fields(sel, typ) {
		if f.Name == "actor" {
			return []step{rel(p.l.RelatedPerson, actorIDs, then(p.people, f.Selections))}
		}
	}
	return nil
}

func (p *planner) mediators(ms []*store.IssueMediator, sel ast.SelectionSet) []step {
	for _, f := range p.fields(sel, "Mediator") {
		if f.Name == "person" {
			return []step{rel(p.l.RelatedPerson, idsOfObjs(ms, func(o *store.IssueMediator) int64 { return o.PersonID }), then(p.people, f.Selections))}
		}
	}
	return nil
}

func (p *planner) orders(os []*store.ServiceOrder, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "ServiceOrder") {
		switch f.Name {
		case "category":
			out = append(out, rel(p.l.ServiceCategory, idsOfObjs(os, func(o *store.ServiceOrder) int64 { return o.CategoryID }), nil))
		case "grid":
			out = append(out, rel(p.l.Grid, idsOfObjs(os, func(o *store.ServiceOrder) int64 { return o.GridID }), then(p.grids, f.Selections)))
		case "building":
			out = append(out, rel(p.l.Building, optIDsOfObjs(os, func(o *store.ServiceOrder) *int64 { return o.BuildingID }), then(p.buildings, f.Selections)))
		case "resident":
			out = append(out, rel(p.l.RelatedPerson, idsOfObjs(os, func(o *store.ServiceOrder) int64 { return o.ResidentID }), then(p.people, f.Selections)))
		case "claimedBy":
			out = append(out, rel(p.l.Member, optIDsOfObjs(os, func(o *store.ServiceOrder) *int64 { return o.ClaimedBy }), then(p.members, f.Selections)))
		case "events":
			if keys, ok := p.lastEvents(f, idsOfObjs(os, func(o *store.ServiceOrder) int64 { return o.ID })); ok {
				out = append(out, rel(p.l.OrderEvents, keys, thenList(p.orderEvents, f.Selections)))
			}
		}
	}
	return out
}

func (p *planner) orderEvents(es []*store.OrderEvent, sel ast.SelectionSet) []step {
	return p.actors(sel, "OrderEvent", optIDsOfObjs(es, func(o *store.OrderEvent) *int64 { return o.ActorID }))
}

func (p *planner) people(ps []*store.Person, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Person") {
		switch f.Name {
		case "grid":
			out = append(out, rel(p.l.Grid, optIDsOfObjs(ps, func(o *store.Person) *int64 { return o.GridID }), then(p.grids, f.Selections)))
		case "building":
			out = append(out, rel(p.l.Building, optIDsOfObjs(ps, func(o *store.Person) *int64 { return o.BuildingID }), then(p.buildings, f.Selections)))
		case "partyMember":
			out = append(out, rel(p.l.MemberByPerson, idsOfObjs(ps, func(o *store.Person) int64 { return o.ID }), then(p.members, f.Selections)))
		}
	}
	return out
}

func (p *planner) members(ms []*store.PartyMember, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "PartyMember") {
		switch f.Name {
		case "person":
			out = append(out, rel(p.l.RelatedPerson, idsOfObjs(ms, func(o *store.PartyMember) int64 { return o.PersonID }), then(p.people, f.Selections)))
		case "unit":
			out = append(out, rel(p.l.Unit, idsOfObjs(ms, func(o *store.PartyMember) int64 { return o.UnitID }), nil))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(ms, func(o *store.PartyMember) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "grid":
			out = append(out, rel(p.l.Grid, optIDsOfObjs(ms, func(o *store.PartyMember) *int64 { return o.GridID }), then(p.grids, f.Selections)))
		case "building":
			out = append(out, rel(p.l.Building, optIDsOfObjs(ms, func(o *store.PartyMember) *int64 { return o.BuildingID }), then(p.buildings, f.Selections)))
		case "checkin":
			out = append(out, rel(p.l.LatestCheckin, idsOfObjs(ms, func(o *store.PartyMember) int64 { return o.ID }), then(p.checkins, f.Selections)))
		case "ratings":
			out = append(out, rel(p.l.Ratings, idsOfObjs(ms, func(o *store.PartyMember) int64 { return o.ID }), thenList(p.ratings, f.Selections)))
		case "serviceTotals":
			year, _ := intArg(p.args(f), "year")
			keys := make([]store.TotalsKey, len(ms))
			for i, m := range ms {
				keys[i] = store.TotalsKey{MemberID: m.ID, Year: year}
			}
			out = append(out, rel(p.l.ServiceTotals, keys, nil))
		case "ledger":
			a := p.args(f)
			n, err := eventCount(intPtr(intArg(a, "last")))
			if err != nil {
				continue
			}
			var from, to store.LedgerKey
			if r, ok := a["served"].(map[string]any); ok {
				if v, ok := r["from"]; ok && v != nil {
					if from.From, err = scalar.UnmarshalDate(v); err != nil {
						continue
					}
				}
				if v, ok := r["to"]; ok && v != nil {
					if to.To, err = scalar.UnmarshalDate(v); err != nil {
						continue
					}
				}
			}
			keys := make([]store.LedgerKey, len(ms))
			for i, m := range ms {
				keys[i] = store.LedgerKey{MemberID: m.ID, Last: n, From: from.From, To: to.To}
			}
			out = append(out, rel(p.l.Ledger, keys, thenList(p.records, f.Selections)))
		}
	}
	return out
}

func (p *planner) roster(es []*store.RosterEntry, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "RosterEntry") {
		switch f.Name {
		case "member":
			out = append(out, rel(p.l.Member, idsOfObjs(es, func(o *store.RosterEntry) int64 { return o.MemberID }), then(p.members, f.Selections)))
		case "unit":
			out = append(out, rel(p.l.Unit, idsOfObjs(es, func(o *store.RosterEntry) int64 { return o.UnitID }), nil))
		case "building":
			out = append(out, rel(p.l.Building, optIDsOfObjs(es, func(o *store.RosterEntry) *int64 { return o.BuildingID }), then(p.buildings, f.Selections)))
		}
	}
	return out
}

func (p *planner) records(rs []*store.ServiceRecord, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "ServiceRecord") {
		switch f.Name {
		case "member":
			out = append(out, rel(p.l.Member, idsOfObjs(rs, func(o *store.ServiceRecord) int64 { return o.MemberID }), then(p.members, f.Selections)))
		case "order":
			out = append(out, rel(p.l.Order, optIDsOfObjs(rs, func(o *store.ServiceRecord) *int64 { return o.OrderID }), then(p.orders, f.Selections)))
		}
	}
	return out
}

func (p *planner) checkins(cs []*store.Checkin, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Checkin") {
		switch f.Name {
		case "member":
			out = append(out, rel(p.l.Member, idsOfObjs(cs, func(o *store.Checkin) int64 { return o.MemberID }), then(p.members, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(cs, func(o *store.Checkin) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "grid":
			out = append(out, rel(p.l.Grid, optIDsOfObjs(cs, func(o *store.Checkin) *int64 { return o.GridID }), then(p.grids, f.Selections)))
		}
	}
	return out
}

func (p *planner) grids(gs []*store.Grid, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Grid") {
		switch f.Name {
		case "street":
			out = append(out, rel(p.l.Street, idsOfObjs(gs, func(o *store.Grid) int64 { return o.StreetID }), then(p.streets, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(gs, func(o *store.Grid) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "assignments":
			cur := boolArg(p.args(f), "current", true)
			keys := make([]store.AssignmentsKey, len(gs))
			for i, g := range gs {
				keys[i] = store.AssignmentsKey{ID: g.ID, Current: cur}
			}
			out = append(out, rel(p.l.GridAssignments, keys, thenList(p.assignments, f.Selections)))
		}
	}
	return out
}

func (p *planner) communities(cs []*store.Community, sel ast.SelectionSet) []step {
	for _, f := range p.fields(sel, "Community") {
		if f.Name == "street" {
			return []step{rel(p.l.Street, idsOfObjs(cs, func(o *store.Community) int64 { return o.StreetID }), then(p.streets, f.Selections))}
		}
	}
	return nil
}

func (p *planner) streets(ss []*store.Street, sel ast.SelectionSet) []step {
	for _, f := range p.fields(sel, "Street") {
		if f.Name == "city" {
			return []step{rel(p.l.City, idsOfObjs(ss, func(o *store.Street) int64 { return o.CityID }), nil)}
		}
	}
	return nil
}

func (p *planner) buildings(bs []*store.Building, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Building") {
		switch f.Name {
		case "grid":
			out = append(out, rel(p.l.Grid, idsOfObjs(bs, func(o *store.Building) int64 { return o.GridID }), then(p.grids, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(bs, func(o *store.Building) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "appointments":
			out = append(out, rel(p.l.Appointments, idsOfObjs(bs, func(o *store.Building) int64 { return o.ID }), thenList(p.appointments, f.Selections)))
		}
	}
	return out
}

func (p *planner) assignments(as []*store.GridAssignment, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "GridAssignment") {
		switch f.Name {
		case "grid":
			out = append(out, rel(p.l.Grid, idsOfObjs(as, func(o *store.GridAssignment) int64 { return o.GridID }), then(p.grids, f.Selections)))
		case "cadre":
			out = append(out, rel(p.l.RelatedCadre, idsOfObjs(as, func(o *store.GridAssignment) int64 { return o.CadreID }), then(p.cadres, f.Selections)))
		}
	}
	return out
}

func (p *planner) cadres(cs []*store.Cadre, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Cadre") {
		switch f.Name {
		case "person":
			out = append(out, rel(p.l.RelatedPerson, idsOfObjs(cs, func(o *store.Cadre) int64 { return o.PersonID }), then(p.people, f.Selections)))
		case "street":
			out = append(out, rel(p.l.Street, idsOfObjs(cs, func(o *store.Cadre) int64 { return o.StreetID }), then(p.streets, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, optIDsOfObjs(cs, func(o *store.Cadre) *int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "assignments":
			cur := boolArg(p.args(f), "current", true)
			keys := make([]store.AssignmentsKey, len(cs))
			for i, c := range cs {
				keys[i] = store.AssignmentsKey{ID: c.ID, Current: cur}
			}
			out = append(out, rel(p.l.CadreAssignments, keys, thenList(p.assignments, f.Selections)))
		}
	}
	return out
}

func (p *planner) workLogs(ws []*store.WorkLog, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "WorkLog") {
		switch f.Name {
		case "grid":
			out = append(out, rel(p.l.Grid, idsOfObjs(ws, func(o *store.WorkLog) int64 { return o.GridID }), then(p.grids, f.Selections)))
		case "cadre":
			out = append(out, rel(p.l.RelatedCadre, idsOfObjs(ws, func(o *store.WorkLog) int64 { return o.CadreID }), then(p.cadres, f.Selections)))
		}
	}
	return out
}

// personRoles plans the relations every role row shares: its person, and its grid or community.
func (p *planner) personRoles(personIDs []int64, typ string, sel ast.SelectionSet, places map[string][]int64) []step {
	var out []step
	for _, f := range p.fields(sel, typ) {
		switch f.Name {
		case "person":
			out = append(out, rel(p.l.RelatedPerson, personIDs, then(p.people, f.Selections)))
		case "grid":
			out = append(out, rel(p.l.Grid, places["grid"], then(p.grids, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, places["community"], then(p.communities, f.Selections)))
		}
	}
	return out
}

func (p *planner) activities(as []*store.Activity, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Activity") {
		switch f.Name {
		case "street":
			out = append(out, rel(p.l.Street, idsOfObjs(as, func(o *store.Activity) int64 { return o.StreetID }), then(p.streets, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, optIDsOfObjs(as, func(o *store.Activity) *int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "grid":
			out = append(out, rel(p.l.Grid, optIDsOfObjs(as, func(o *store.Activity) *int64 { return o.GridID }), then(p.grids, f.Selections)))
		case "intersection":
			out = append(out, rel(p.l.Intersection, optIDsOfObjs(as, func(o *store.Activity) *int64 { return o.IntersectionID }), then(p.intersections, f.Selections)))
		case "organiserUnit":
			out = append(out, rel(p.l.Unit, optIDsOfObjs(as, func(o *store.Activity) *int64 { return o.OrganiserUnitID }), nil))
		case "team":
			out = append(out, rel(p.l.Team, optIDsOfObjs(as, func(o *store.Activity) *int64 { return o.TeamID }), then(p.teams, f.Selections)))
		case "socialOrganisation":
			out = append(out, rel(p.l.SocialOrganisation, optIDsOfObjs(as, func(o *store.Activity) *int64 { return o.SocialOrganisationID }), then(p.organisations, f.Selections)))
		case "ventureProject":
			out = append(out, rel(p.l.VentureProject, optIDsOfObjs(as, func(o *store.Activity) *int64 { return o.VentureProjectID }), then(p.projects, f.Selections)))
		case "participants", "participantCount", "totalHours":
			out = append(out, rel(p.l.Participants, idsOfObjs(as, func(o *store.Activity) int64 { return o.ID }),
				thenList(p.participants, f.Selections)))
		}
	}
	return out
}

func (p *planner) participants(ps []*store.ActivityParticipant, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "ActivityParticipant") {
		switch f.Name {
		case "person":
			out = append(out, rel(p.l.RelatedPerson, idsOfObjs(ps, func(o *store.ActivityParticipant) int64 { return o.PersonID }), then(p.people, f.Selections)))
		case "activity":
			out = append(out, rel(p.l.Activity, idsOfObjs(ps, func(o *store.ActivityParticipant) int64 { return o.ActivityID }), then(p.activities, f.Selections)))
		}
	}
	return out
}

func (p *planner) organisations(os []*store.SocialOrganisation, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "SocialOrganisation") {
		switch f.Name {
		case "street":
			out = append(out, rel(p.l.Street, optIDsOfObjs(os, func(o *store.SocialOrganisation) *int64 { return o.StreetID }), then(p.streets, f.Selections)))
		case "ventureProjects":
			out = append(out, rel(p.l.OrgProjects, idsOfObjs(os, func(o *store.SocialOrganisation) int64 { return o.ID }), thenList(p.projects, f.Selections)))
		}
	}
	return out
}

func (p *planner) projects(ps []*store.VentureProject, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "VentureProject") {
		switch f.Name {
		case "socialOrganisation":
			out = append(out, rel(p.l.SocialOrganisation, idsOfObjs(ps, func(o *store.VentureProject) int64 { return o.SocialOrganisationID }), then(p.organisations, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(ps, func(o *store.VentureProject) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		}
	}
	return out
}

func (p *planner) ratings(rs []*store.YearRating, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "YearRating") {
		switch f.Name {
		case "member":
			out = append(out, rel(p.l.Member, idsOfObjs(rs, func(o *store.YearRating) int64 { return o.MemberID }), then(p.members, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(rs, func(o *store.YearRating) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		}
	}
	return out
}

func (p *planner) appointments(as []*store.BuildingAppointment, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "BuildingAppointment") {
		switch f.Name {
		case "member":
			out = append(out, rel(p.l.Member, idsOfObjs(as, func(o *store.BuildingAppointment) int64 { return o.MemberID }), then(p.members, f.Selections)))
		case "building":
			out = append(out, rel(p.l.Building, idsOfObjs(as, func(o *store.BuildingAppointment) int64 { return o.BuildingID }), then(p.buildings, f.Selections)))
		}
	}
	return out
}

func (p *planner) compounds(cs []*store.Compound, sel ast.SelectionSet) []step {
	for _, f := range p.fields(sel, "Compound") {
		if f.Name == "community" {
			return []step{rel(p.l.Community, idsOfObjs(cs, func(o *store.Compound) int64 { return o.CommunityID }), then(p.communities, f.Selections))}
		}
	}
	return nil
}

func (p *planner) intersections(is []*store.Intersection, sel ast.SelectionSet) []step {
	for _, f := range p.fields(sel, "Intersection") {
		if f.Name == "community" {
			return []step{rel(p.l.Community, idsOfObjs(is, func(o *store.Intersection) int64 { return o.CommunityID }), then(p.communities, f.Selections))}
		}
	}
	return nil
}

func (p *planner) auditRecords(rs []*store.AuditRecord, sel ast.SelectionSet) []step {
	for _, f := range p.fields(sel, "AuditRecord") {
		if f.Name == "actor" {
			return []step{rel(p.l.RelatedPerson, optIDsOfObjs(rs, func(o *store.AuditRecord) *int64 { return o.PersonID }), then(p.people, f.Selections))}
		}
	}
	return nil
}

func (p *planner) volunteers(vs []*store.Volunteer, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Volunteer") {
		switch f.Name {
		case "person":
			out = append(out, rel(p.l.RelatedPerson, idsOfObjs(vs, func(o *store.Volunteer) int64 { return o.PersonID }), then(p.people, f.Selections)))
		case "team":
			out = append(out, rel(p.l.Team, optIDsOfObjs(vs, func(o *store.Volunteer) *int64 { return o.TeamID }), then(p.teams, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(vs, func(o *store.Volunteer) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "grid":
			out = append(out, rel(p.l.Grid, optIDsOfObjs(vs, func(o *store.Volunteer) *int64 { return o.GridID }), then(p.grids, f.Selections)))
		}
	}
	return out
}

func (p *planner) teams(ts []*store.VolunteerTeam, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "VolunteerTeam") {
		switch f.Name {
		case "unit":
			out = append(out, rel(p.l.Unit, optIDsOfObjs(ts, func(o *store.VolunteerTeam) *int64 { return o.UnitID }), nil))
		case "socialOrganisation":
			out = append(out, rel(p.l.SocialOrganisation, optIDsOfObjs(ts, func(o *store.VolunteerTeam) *int64 { return o.SocialOrganisationID }), nil))
		case "street":
			out = append(out, rel(p.l.Street, optIDsOfObjs(ts, func(o *store.VolunteerTeam) *int64 { return o.StreetID }), then(p.streets, f.Selections)))
		case "volunteerCount":
			out = append(out, rel(p.l.TeamSize, idsOfObjs(ts, func(o *store.VolunteerTeam) int64 { return o.ID }), nil))
		}
	}
	return out
}

func (p *planner) meetings(ms []*store.JointMeeting, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "JointMeeting") {
		switch f.Name {
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(ms, func(o *store.JointMeeting) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "matters":
			out = append(out, rel(p.l.Matters, idsOfObjs(ms, func(o *store.JointMeeting) int64 { return o.ID }), thenList(p.matters, f.Selections)))
		}
	}
	return out
}

func (p *planner) pairings(ps []*store.Pairing, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Pairing") {
		switch f.Name {
		case "unit":
			out = append(out, rel(p.l.Unit, idsOfObjs(ps, func(o *store.Pairing) int64 { return o.UnitID }), nil))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(ps, func(o *store.Pairing) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "practiceStation":
			out = append(out, rel(p.l.Facility, optIDsOfObjs(ps, func(o *store.Pairing) *int64 { return o.FacilityID }), then(p.facilities, f.Selections)))
		}
	}
	return out
}
