package resolvers

import (
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/auth"
	"gridgov/graph/model"
	"gridgov/store"
)

// The types the fast path writes: per type, its implementors (as gqlgen's generated code
// lists them, for fragments) and a table of the fields it knows, each writing its value as
// the generated code marshals it and through the same resolver. A field not in its type's
// table sends the request back to gqlgen.

// fastType is one object type of the fast path.
type fastType[T any] struct {
	implementors []string
	fields       map[string]fastField[T]
}

// fastField writes one field of o; f is the field as collected, with its own selections.
type fastField[T any] func(w *fastWriter, o *T, f graphql.CollectedField) error

// fastPlan is how one selection set is written for one type: per collected field, its key
// (`"alias":`, keys[ends[i-1]:ends[i]]) and its writer (nil for __typename). A plan is made
// once per request and selection set, so writing an object looks up nothing.
type fastPlan[T any] struct {
	fields []graphql.CollectedField
	keys   []byte
	ends   []int
	writes []fastField[T]
}

// plan gives the plan of sel for t, made on first use; a deferred fragment or a field t does
// not know sends the root field back to gqlgen.
func (t *fastType[T]) plan(w *fastWriter, sel ast.SelectionSet) (*fastPlan[T], error) {
	if len(sel) == 0 {
		return nil, errSlow
	}
	k := planKey{sel[0], t}
	if p, ok := w.plans[k]; ok {
		return p.(*fastPlan[T]), nil
	}
	fs := graphql.CollectFields(w.oc, sel, t.implementors)
	p := &fastPlan[T]{fields: fs, keys: make([]byte, 0, 16*len(fs)), ends: make([]int, len(fs)), writes: make([]fastField[T], len(fs))}
	for i, f := range fs {
		if len(f.Deferrables) > 0 {
			return nil, errSlow
		}
		write, ok := t.fields[f.Name]
		if !ok && f.Name != "__typename" {
			return nil, errSlow
		}
		p.keys = appendKey(p.keys, f.Alias)
		p.ends[i], p.writes[i] = len(p.keys), write
	}
	w.plans[k] = p
	return p, nil
}

// appendKey appends `"alias":`. An alias is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*): nothing
// in it needs escaping.
func appendKey(b []byte, alias string) []byte {
	b = append(b, '"')
	b = append(b, alias...)
	return append(b, '"', ':')
}

// write writes o as {"alias": value, …} with the selections under parent.
func (t *fastType[T]) write(w *fastWriter, o *T, parent graphql.CollectedField) error {
	p, err := t.plan(w, parent.Selections)
	if err != nil {
		return err
	}
	w.buf.WriteByte('{')
	start := 0
	for i, f := range p.fields {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		w.buf.Write(p.keys[start:p.ends[i]])
		start = p.ends[i]
		if p.writes[i] == nil {
			w.str(t.implementors[0])
			continue
		}
		if err := p.writes[i](w, o, f); err != nil {
			return err
		}
	}
	w.buf.WriteByte('}')
	return nil
}

// value is a field that writes a value of the object, needing nothing else.
func value[T any](write func(w *fastWriter, o *T)) fastField[T] {
	return func(w *fastWriter, o *T, _ graphql.CollectedField) error {
		write(w, o)
		return nil
	}
}

// child is a field holding one object of type C, read by resolve; nullable says whether
// it may be null.
func child[T, C any](t *fastType[C], nullable bool, resolve func(w *fastWriter, o *T) (*C, error)) fastField[T] {
	return func(w *fastWriter, o *T, f graphql.CollectedField) error {
		v, err := resolve(w, o)
		return related(w, v, err, nullable, func(v *C) error { return t.write(w, v, f) })
	}
}

// issuesRoot runs Query.issues through its resolver and writes the connection.
func (w *fastWriter) issuesRoot(f graphql.CollectedField) error {
	args := f.ArgumentMap(w.oc.Variables)
	a, err := decodeIssuesArgs(args)
	if err != nil {
		return err
	}
	// The resolver reads its own selections (totalCount, what to prefetch) from its field context.
	ctx := graphql.WithFieldContext(w.ctx, &graphql.FieldContext{Object: "Query", Field: f, Args: args, IsMethod: true, IsResolver: true})
	c, err := (&queryResolver{w.r}).Issues(ctx, a.filter, a.orderBy, a.first, a.after, a.last, a.before)
	if err != nil || c == nil {
		return errSlow
	}
	w.result = c
	return fastIssueConnection.write(w, c, f)
}

var fastIssueConnection = &fastType[model.IssueConnection]{[]string{"IssueConnection"}, map[string]fastField[model.IssueConnection]{
	"totalCount": value(func(w *fastWriter, o *model.IssueConnection) { w.int(o.TotalCount) }),
	"pageInfo":   child(fastPageInfo, false, func(_ *fastWriter, o *model.IssueConnection) (*store.PageInfo, error) { return o.PageInfo, nil }),
	"edges": func(w *fastWriter, o *model.IssueConnection, f graphql.CollectedField) error {
		return list(w, o.Edges, func(e *model.IssueEdge) error { return fastIssueEdge.write(w, e, f) })
	},
}}

var fastIssueEdge = &fastType[model.IssueEdge]{[]string{"IssueEdge"}, map[string]fastField[model.IssueEdge]{
	"cursor": value(func(w *fastWriter, o *model.IssueEdge) { w.str(o.Cursor) }),
	"node":   child(fastIssue, false, func(_ *fastWriter, o *model.IssueEdge) (*store.Issue, error) { return o.Node, nil }),
}}

var fastPageInfo = &fastType[store.PageInfo]{[]string{"PageInfo"}, map[string]fastField[store.PageInfo]{
	"hasNextPage":     value(func(w *fastWriter, o *store.PageInfo) { w.boolean(o.HasNextPage) }),
	"hasPreviousPage": value(func(w *fastWriter, o *store.PageInfo) { w.boolean(o.HasPreviousPage) }),
	"startCursor":     value(func(w *fastWriter, o *store.PageInfo) { w.optStr(o.StartCursor) }),
	"endCursor":       value(func(w *fastWriter, o *store.PageInfo) { w.optStr(o.EndCursor) }),
}}

var fastIssue = &fastType[store.Issue]{[]string{"Issue", "Node"}, map[string]fastField[store.Issue]{
	"id":               value(func(w *fastWriter, o *store.Issue) { w.id(o.GlobalID()) }),
	"title":            value(func(w *fastWriter, o *store.Issue) { w.str(o.Title) }),
	"description":      value(func(w *fastWriter, o *store.Issue) { w.str(o.Description) }),
	"state":            value(func(w *fastWriter, o *store.Issue) { w.enum(o.StateEnum()) }),
	"reporterRole":     value(func(w *fastWriter, o *store.Issue) { w.enum(o.ReporterRoleEnum()) }),
	"handlerKind":      value(func(w *fastWriter, o *store.Issue) { w.optEnum(o.HandlerKindEnum()) }),
	"escalationLevel":  value(func(w *fastWriter, o *store.Issue) { w.optEnum(o.EscalationLevelEnum()) }),
	"disputeOutcome":   value(func(w *fastWriter, o *store.Issue) { w.optEnum(o.DisputeOutcomeEnum()) }),
	"dueAt":            value(func(w *fastWriter, o *store.Issue) { w.optTime(o.DueAt) }),
	"overdue":          value(func(w *fastWriter, o *store.Issue) { w.boolean(o.OverdueNow()) }),
	"reportedAt":       value(func(w *fastWriter, o *store.Issue) { w.time(o.ReportedAt) }),
	"resolvedAt":       value(func(w *fastWriter, o *store.Issue) { w.optTime(o.ResolvedAt) }),
	"closedAt":         value(func(w *fastWriter, o *store.Issue) { w.optTime(o.ClosedAt) }),
	"resolution":       value(func(w *fastWriter, o *store.Issue) { w.optStr(o.Resolution) }),
	"resolvedQuantity": value(func(w *fastWriter, o *store.Issue) { w.optFloat(o.ResolvedQuantity) }),
	"isDispute":        value(func(w *fastWriter, o *store.Issue) { w.boolean(o.IsDispute) }),
	"version":          value(func(w *fastWriter, o *store.Issue) { w.int64(o.Version) }),
	"updatedAt":        value(func(w *fastWriter, o *store.Issue) { w.time(o.UpdatedAt) }),
	"category": child(fastIssueCategory, false, func(w *fastWriter, o *store.Issue) (*store.IssueCategory, error) {
		return issueResolver{w.r}.Category(w.ctx, o)
	}),
	"grid": child(fastGrid, false, func(w *fastWriter, o *store.Issue) (*store.Grid, error) {
		return issueResolver{w.r}.Grid(w.ctx, o)
	}),
	"community": child(fastCommunity, false, func(w *fastWriter, o *store.Issue) (*store.Community, error) {
		return issueResolver{w.r}.Community(w.ctx, o)
	}),
	"building": child(fastBuilding, true, func(w *fastWriter, o *store.Issue) (*store.Building, error) {
		return issueResolver{w.r}.Building(w.ctx, o)
	}),
	"reporter": child(fastPerson, false, func(w *fastWriter, o *store.Issue) (*store.Person, error) {
		return issueResolver{w.r}.Reporter(w.ctx, o)
	}),
	"handler": child(fastPerson, true, func(w *fastWriter, o *store.Issue) (*store.Person, error) {
		return issueResolver{w.r}.Handler(w.ctx, o)
	}),
	"handlerUnit": child(fastUnit, true, func(w *fastWriter, o *store.Issue) (*store.Unit, error) {
		return issueResolver{w.r}.HandlerUnit(w.ctx, o)
	}),
	"events": func(w *fastWriter, o *store.Issue, f graphql.CollectedField) error {
		last, err := decodeOpt(w.argsOf(f), "last", graphql.UnmarshalInt)
		if err != nil {
			return err
		}
		evs, err := issueResolver{w.r}.Events(w.ctx, o, last)
		if err != nil {
			return err
		}
		return list(w, evs, func(e *store.IssueEvent) error { return fastIssueEvent.write(w, e, f) })
	},
}}

var fastIssueEvent = &fastType[store.IssueEvent]{[]string{"IssueEvent"}, map[string]fastField[store.IssueEvent]{
	"action":    value(func(w *fastWriter, o *store.IssueEvent) { w.enum(o.ActionEnum()) }),
	"actorRole": value(func(w *fastWriter, o *store.IssueEvent) { w.str(o.ActorRole) }),
	"fromState": value(func(w *fastWriter, o *store.IssueEvent) { w.optEnum(o.FromStateEnum()) }),
	"toState":   value(func(w *fastWriter, o *store.IssueEvent) { w.enum(o.ToStateEnum()) }),
	"note":      value(func(w *fastWriter, o *store.IssueEvent) { w.str(o.Note) }),
	"at":        value(func(w *fastWriter, o *store.IssueEvent) { w.time(o.At) }),
	"actor": child(fastPerson, true, func(w *fastWriter, o *store.IssueEvent) (*store.Person, error) {
		return issueEventResolver{w.r}.Actor(w.ctx, o)
	}),
}}

// fastPerson's personal fields go through the resolvers' masking.
var fastPerson = &fastType[store.Person]{[]string{"Person", "Node"}, map[string]fastField[store.Person]{
	"id":       value(func(w *fastWriter, o *store.Person) { w.id(o.GlobalID()) }),
	"name":     value(func(w *fastWriter, o *store.Person) { w.str(o.Name) }),
	"gender":   value(func(w *fastWriter, o *store.Person) { w.optEnum(o.GenderEnum()) }),
	"phone":    value(func(w *fastWriter, o *store.Person) { w.optStr(mask(w.ctx, o, auth.Phone, o.Phone)) }),
	"idNumber": value(func(w *fastWriter, o *store.Person) { w.optStr(mask(w.ctx, o, auth.IDNumber, o.IDNumber)) }),
	"address":  value(func(w *fastWriter, o *store.Person) { w.optStr(mask(w.ctx, o, auth.Address, o.Address)) }),
	"grid": child(fastGrid, true, func(w *fastWriter, o *store.Person) (*store.Grid, error) {
		return personResolver{w.r}.Grid(w.ctx, o)
	}),
}}

var fastGrid = &fastType[store.Grid]{[]string{"Grid", "Node"}, map[string]fastField[store.Grid]{
	"id":         value(func(w *fastWriter, o *store.Grid) { w.id(o.GlobalID()) }),
	"code":       value(func(w *fastWriter, o *store.Grid) { w.str(o.Code) }),
	"name":       value(func(w *fastWriter, o *store.Grid) { w.str(o.Name) }),
	"households": value(func(w *fastWriter, o *store.Grid) { w.int(o.Households) }),
	"version":    value(func(w *fastWriter, o *store.Grid) { w.int64(o.Version) }),
	"community": child(fastCommunity, false, func(w *fastWriter, o *store.Grid) (*store.Community, error) {
		return gridResolver{w.r}.Community(w.ctx, o)
	}),
}}

var fastCommunity = &fastType[store.Community]{[]string{"Community", "Node"}, map[string]fastField[store.Community]{
	"id":          value(func(w *fastWriter, o *store.Community) { w.id(o.GlobalID()) }),
	"code":        value(func(w *fastWriter, o *store.Community) { w.str(o.Code) }),
	"name":        value(func(w *fastWriter, o *store.Community) { w.str(o.Name) }),
	"hasPartyOrg": value(func(w *fastWriter, o *store.Community) { w.boolean(o.HasPartyOrg) }),
	"version":     value(func(w *fastWriter, o *store.Community) { w.int64(o.Version) }),
}}

var fastIssueCategory = &fastType[store.IssueCategory]{[]string{"IssueCategory", "Node"}, map[string]fastField[store.IssueCategory]{
	"id":           value(func(w *fastWriter, o *store.IssueCategory) { w.id(o.GlobalID()) }),
	"code":         value(func(w *fastWriter, o *store.IssueCategory) { w.str(o.Code) }),
	"name":         value(func(w *fastWriter, o *store.IssueCategory) { w.str(o.Name) }),
	"nameZh":       value(func(w *fastWriter, o *store.IssueCategory) { w.str(o.NameZh) }),
	"group":        value(func(w *fastWriter, o *store.IssueCategory) { w.enum(o.GroupEnum()) }),
	"deadlineDays": value(func(w *fastWriter, o *store.IssueCategory) { w.int(o.DeadlineDays) }),
	"quantityUnit": value(func(w *fastWriter, o *store.IssueCategory) { w.optStr(o.QuantityUnit) }),
}}

var fastUnit = &fastType[store.Unit]{[]string{"Unit", "Node"}, map[string]fastField[store.Unit]{
	"id":        value(func(w *fastWriter, o *store.Unit) { w.id(o.GlobalID()) }),
	"code":      value(func(w *fastWriter, o *store.Unit) { w.str(o.Code) }),
	"name":      value(func(w *fastWriter, o *store.Unit) { w.str(o.Name) }),
	"kind":      value(func(w *fastWriter, o *store.Unit) { w.enum(o.KindEnum()) }),
	"isJustice": value(func(w *fastWriter, o *store.Unit) { w.boolean(o.IsJustice) }),
	"civilised": value(func(w *fastWriter, o *store.Unit) { w.boolean(o.Civilised) }),
}}

var fastBuilding = &fastType[store.Building]{[]string{"Building", "Node"}, map[string]fastField[store.Building]{
	"id":                value(func(w *fastWriter, o *store.Building) { w.id(o.GlobalID()) }),
	"number":            value(func(w *fastWriter, o *store.Building) { w.str(o.Number) }),
	"floors":            value(func(w *fastWriter, o *store.Building) { w.int(o.Floors) }),
	"households":        value(func(w *fastWriter, o *store.Building) { w.int(o.Households) }),
	"covenantAdoptedOn": value(func(w *fastWriter, o *store.Building) { w.optDate(o.CovenantAdoptedOn) }),
	"version":           value(func(w *fastWriter, o *store.Building) { w.int64(o.Version) }),
}}
