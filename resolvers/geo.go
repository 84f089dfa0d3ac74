package resolvers

import (
	"context"
	"encoding/json"

	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/geo"
	"gridgov/graph/model"
	"gridgov/store"
)

// Questions asked of the map, and the inputs that name places on it (schema/graphql/geo.graphqls).

func (r *queryResolver) GridAt(ctx context.Context, in model.PointInput) (*store.Grid, error) {
	p, err := pointOf("point", &in)
	if err != nil {
		return nil, err
	}
	return r.Store.GridAt(ctx, scope(ctx), *p)
}

func (r *queryResolver) NearestFacility(ctx context.Context, in model.PointInput, kind model.FacilityKind) (*store.NearbyFacility, error) {
	p, err := pointOf("point", &in)
	if err != nil {
		return nil, err
	}
	return r.Store.NearestFacility(ctx, scope(ctx), *p, stored(kind))
}

// pointOf is a point input in WGS-84 (converted from GCJ-02 when it says so), or nil.
func pointOf(field string, in *model.PointInput) (*geo.Point, error) {
	if in == nil {
		return nil, nil
	}
	p := geo.Point{Lon: in.Lon, Lat: in.Lat}
	if !p.Valid() {
		return nil, apperr.Invalid(field, "a point is a longitude in [-180, 180] and a latitude in [-90, 90]")
	}
	if in.Datum != nil && *in.Datum == model.DatumGcj02 {
		p = geo.ToWGS84(p)
	}
	return &p, nil
}

// areaOf decodes an area filter.
func areaOf(field string, in *model.AreaFilter) (store.Area, error) {
	var a store.Area
	if in == nil {
		return a, nil
	}
	if b := in.Bbox; b != nil {
		a.Box = &geo.Rect{West: b.West, South: b.South, East: b.East, North: b.North}
	}
	if n := in.Near; n != nil {
		p, err := pointOf(field+".near.point", n.Point)
		if err != nil {
			return a, err
		}
		a.Near, a.Metres = p, n.Metres
	}
	return a, a.Check(field)
}

// shape is a place's geometry, read from src by the object's id.
func shape[T any](src *store.Source[int64, json.RawMessage], id func(*T) int64) decl[T] {
	return byKey("geometry", src, func(o *T, _ args) (int64, error) { return id(o), nil })
}

// issuePoint is where an issue was reported, for those who may see it (auth.IssueLocationVisible).
func issuePoint() decl[store.Issue] {
	d := shape(store.IssuePoints, func(o *store.Issue) int64 { return o.ID })
	spec := d.spec
	d.spec = func(def *ast.FieldDefinition) *fieldSpec {
		f := spec(def)
		value := f.value
		f.value = func(ctx context.Context, o any, a args) (any, error) {
			if !auth.IssueLocationVisible(ctx, o.(*store.Issue).ReporterID) {
				return json.RawMessage(nil), nil
			}
			return value(ctx, o, a)
		}
		return f
	}
	return d
}
