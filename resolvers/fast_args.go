package resolvers

import (
	"github.com/99designs/gqlgen/graphql"

	"gridgov/graph/model"
	"gridgov/resolvers/scalar"
)

// Arguments of the fast path's root fields, decoded from the validated argument map with
// the unmarshallers gqlgen's generated code uses for the same input types. An input the
// fast path does not know is an error, and the request goes back to gqlgen.

type issuesArgs struct {
	filter        *model.IssueFilter
	orderBy       *model.IssueOrder
	first, last   *int
	after, before *string
}

func decodeIssuesArgs(m map[string]any) (a issuesArgs, err error) {
	d := inputDecoder{m: m}
	a.filter = decodeInput(&d, "filter", decodeIssueFilter)
	a.orderBy = decodeInput(&d, "orderBy", decodeIssueOrder)
	a.first, a.last = decodeField(&d, "first", graphql.UnmarshalInt), decodeField(&d, "last", graphql.UnmarshalInt)
	a.after, a.before = decodeField(&d, "after", graphql.UnmarshalString), decodeField(&d, "before", graphql.UnmarshalString)
	return a, d.done()
}

func decodeIssueFilter(d *inputDecoder) model.IssueFilter {
	return model.IssueFilter{
		Place:       decodeInput(d, "place", decodePlaceScope),
		BuildingID:  decodeField(d, "buildingId", graphql.UnmarshalID),
		States:      decodeList(d, "states", unmarshalEnum[model.IssueState]),
		CategoryIds: decodeList(d, "categoryIds", graphql.UnmarshalID),
		Reported:    decodeInput(d, "reported", decodeDateTimeRange),
		DueBefore:   decodeField(d, "dueBefore", scalar.UnmarshalDateTime),
		Search:      decodeField(d, "search", graphql.UnmarshalString),
		Overdue:     decodeField(d, "overdue", graphql.UnmarshalBoolean),
		Open:        decodeField(d, "open", graphql.UnmarshalBoolean),
		IsDispute:   decodeField(d, "isDispute", graphql.UnmarshalBoolean),
		ReporterID:  decodeField(d, "reporterId", graphql.UnmarshalID),
		HandlerID:   decodeField(d, "handlerId", graphql.UnmarshalID),
	}
}

func decodePlaceScope(d *inputDecoder) model.PlaceScope {
	return model.PlaceScope{
		StreetID:    decodeField(d, "streetId", graphql.UnmarshalID),
		CommunityID: decodeField(d, "communityId", graphql.UnmarshalID),
		GridID:      decodeField(d, "gridId", graphql.UnmarshalID),
	}
}

func decodeDateTimeRange(d *inputDecoder) model.DateTimeRange {
	return model.DateTimeRange{From: decodeField(d, "from", scalar.UnmarshalDateTime), To: decodeField(d, "to", scalar.UnmarshalDateTime)}
}

func decodeIssueOrder(d *inputDecoder) model.IssueOrder {
	var o model.IssueOrder
	if f := decodeField(d, "field", unmarshalEnum[model.IssueOrderField]); f != nil {
		o.Field = *f
	}
	if dir := decodeField(d, "direction", unmarshalEnum[model.SortDirection]); dir != nil {
		o.Direction = *dir
	}
	return o
}

// inputDecoder reads the fields of one input object, keeping the first error and counting
// the keys it read, so that a key it does not know is noticed.
type inputDecoder struct {
	m    map[string]any
	read int
	err  error
}

func (d *inputDecoder) value(key string) (any, bool) {
	v, ok := d.m[key]
	if ok {
		d.read++
	}
	return v, ok && v != nil && d.err == nil
}

func (d *inputDecoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// done reports the first error, or errSlow when the object held a key the decoder did not read.
func (d *inputDecoder) done() error {
	if d.err == nil && d.read != len(d.m) {
		return errSlow
	}
	return d.err
}

func decodeField[T any](d *inputDecoder, key string, un func(any) (T, error)) *T {
	v, ok := d.value(key)
	if !ok {
		return nil
	}
	x, err := un(v)
	if err != nil {
		d.fail(err)
		return nil
	}
	return &x
}

func decodeList[T any](d *inputDecoder, key string, un func(any) (T, error)) []T {
	v, ok := d.value(key)
	if !ok {
		return nil
	}
	items := graphql.CoerceList(v)
	out := make([]T, 0, len(items))
	for _, it := range items {
		x, err := un(it)
		if err != nil {
			d.fail(err)
			return nil
		}
		out = append(out, x)
	}
	return out
}

func decodeInput[T any](d *inputDecoder, key string, decode func(*inputDecoder) T) *T {
	v, ok := d.value(key)
	if !ok {
		return nil
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		d.fail(errSlow)
		return nil
	}
	sub := inputDecoder{m: m}
	x := decode(&sub)
	if err := sub.done(); err != nil {
		d.fail(err)
		return nil
	}
	return &x
}

// decodeOpt reads one optional argument of a nested field.
func decodeOpt[T any](args map[string]any, key string, un func(any) (T, error)) (*T, error) {
	d := inputDecoder{m: args}
	v := decodeField(&d, key, un)
	return v, d.done()
}

// unmarshalEnum reads a generated model enum as gqlgen does.
func unmarshalEnum[E any, P interface {
	*E
	UnmarshalGQL(any) error
}](v any) (E, error) {
	var e E
	err := P(&e).UnmarshalGQL(v)
	return e, err
}
