package store

import (
	"context"
	"encoding/json"
	"math"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/geo"
)

// Area narrows a list of located rows to a part of the map: a box, a circle, or both. The
// box uses the table's spatial index directly; the circle first narrows to its bounding box
// (index) and then measures on the ground (geography).
type Area struct {
	Box    *geo.Rect
	Near   *geo.Point
	Metres float64
}

// Limits of an area, so a spatial filter never asks for the whole country.
const (
	MaxBoxDegrees = 0.5
	MaxNearMetres = 20_000
)

// metresPerDegree is the length of a degree of latitude (and of longitude at the equator).
const metresPerDegree = 111_320.0

// point is the SQL of a WGS-84 point bound to q.
func point(q *query, p geo.Point) string {
	return "ST_SetSRID(ST_MakePoint(" + q.arg(p.Lon) + "::float8, " + q.arg(p.Lat) + "::float8), 4326)"
}

// apply narrows q to rows whose column col lies in a.
func (a Area) apply(q *query, col string) {
	if a.Box != nil {
		b := a.Box
		q.where(col+" && ST_MakeEnvelope(?::float8, ?::float8, ?::float8, ?::float8, 4326)", b.West, b.South, b.East, b.North)
	}
	if a.Near != nil {
		dLat := a.Metres / metresPerDegree
		dLon := dLat / math.Max(math.Cos(a.Near.Lat*math.Pi/180), 0.01)
		q.where(col+" && ST_Expand("+point(q, *a.Near)+", ?::float8, ?::float8)", dLon, dLat)
		q.where("ST_DWithin("+col+"::geography, "+point(q, *a.Near)+"::geography, ?::float8)", a.Metres)
	}
}

// Check refuses an area that is malformed or too large, naming field.
func (a Area) Check(field string) error {
	if b := a.Box; b != nil {
		for _, p := range []geo.Point{{Lon: b.West, Lat: b.South}, {Lon: b.East, Lat: b.North}} {
			if !p.Valid() {
				return apperr.Invalid(field+".bbox", "a box's corners are longitudes in [-180, 180] and latitudes in [-90, 90]")
			}
		}
		if b.West > b.East || b.South > b.North {
			return apperr.Invalid(field+".bbox", "a box's west edge is west of its east edge, its south edge south of its north edge")
		}
		if b.East-b.West > MaxBoxDegrees || b.North-b.South > MaxBoxDegrees {
			return apperr.Invalid(field+".bbox", "a box is at most %g degree a side", MaxBoxDegrees)
		}
	}
	if a.Near != nil {
		if !a.Near.Valid() {
			return apperr.Invalid(field+".near.point", "a point is a longitude in [-180, 180] and a latitude in [-90, 90]")
		}
		if !(a.Metres > 0 && a.Metres <= MaxNearMetres) {
			return apperr.Invalid(field+".near.metres", "a distance is more than 0 and at most %d metres", MaxNearMetres)
		}
	}
	return nil
}

// Shapes of places and points of rows, as GeoJSON (WGS-84, 7 decimals), read by id within
// scope. A row without one reads as nil (null).
var (
	StreetShapes       = shapes("load street boundaries", "streets", "boundary")
	CommunityShapes    = shapes("load community boundaries", "communities", "boundary")
	GridShapes         = shapes("load grid boundaries", "grids", "boundary")
	BuildingPoints     = shapes("load building points", "buildings", "location")
	FacilityPoints     = shapes("load facility points", "facilities", "location")
	IntersectionPoints = shapes("load intersection points", "intersections", "location")
	IssuePoints        = shapes("load issue points", "issues", "location")
)

type shapeRow struct {
	id   int64
	json []byte
}

func shapes(op, table, column string) *Source[int64, json.RawMessage] {
	return &Source[int64, json.RawMessage]{name: op, reads: func(sc auth.Scope, ids []int64, put func(int64, json.RawMessage)) []Read {
		q := &query{}
		q.where("id = ANY(?)", ids)
		q.where("deleted_at IS NULL")
		q.where(column + " IS NOT NULL")
		q.scoped(sc, colsFor(table, ""))
		sql := `SELECT id, ST_AsGeoJSON(` + column + `, 7)::text FROM ` + table + q.sql()
		return []Read{scanned(op, sql, q.args, func(r pgx.Row) (*shapeRow, error) {
			var s shapeRow
			return &s, r.Scan(&s.id, &s.json)
		}, func(s *shapeRow) { put(s.id, json.RawMessage(s.json)) })}
	}}
}

// gridAtQuery finds the grid covering a point: ST_Covers counts the boundary in, and of the
// grids sharing a boundary point the one with the smallest id wins (firstCovering, the
// tie-break rule).
func gridAtQuery(sc auth.Scope, p geo.Point) *query {
	q := &query{}
	q.where("ST_Covers(boundary, " + point(q, p) + ")")
	q.where("deleted_at IS NULL")
	q.scoped(sc, gridCols)
	return q
}

// firstCovering orders the grids gridAtQuery finds by the tie-break rule and keeps the first.
const firstCovering = " ORDER BY id LIMIT 1"

// GridAt is the grid of the scope covering p, or nil when none does.
func (s *Store) GridAt(ctx context.Context, sc auth.Scope, p geo.Point) (*Grid, error) {
	q := gridAtQuery(sc, p)
	var out *Grid
	err := s.Batch(ctx, []Read{scanned("grid at point", gridSQL+q.sql()+firstCovering, q.args, scanGrid,
		func(g *Grid) { out = g })})
	return out, err
}

// locate gives the grid (with its street and community) of the scope covering p, in tx; a
// point no grid of the scope covers — outside the city or outside the scope alike — is
// BAD_USER_INPUT on location.
func locate(ctx context.Context, tx pgx.Tx, sc auth.Scope, p geo.Point, gridID int64) (grid, street, community int64, err error) {
	q := gridAtQuery(sc, p)
	if gridID != 0 {
		q.where("id = ?", gridID)
	}
	err = tx.QueryRow(ctx, "SELECT id, street_id, community_id FROM grids"+q.sql()+firstCovering, q.args...).
		Scan(&grid, &street, &community)
	switch {
	case isNoRows(err) && gridID != 0:
		return 0, 0, 0, apperr.Invalid("location", "the point is not in the grid given")
	case isNoRows(err):
		return 0, 0, 0, apperr.Invalid("location", "no grid of your area covers this point")
	}
	return grid, street, community, err
}

// NearbyFacility is a facility and its distance from a point.
type NearbyFacility struct {
	FacilityID int64
	Metres     float64
}

// nearCandidates is how many facilities nearest in degrees are measured on the ground: a
// degree of longitude is shorter than one of latitude, so the nearest in degrees need not be
// the nearest on the ground, but it is among the few nearest.
const nearCandidates = 16

// NearestFacility is the facility of kind in scope nearest p on the ground, or nil.
func (s *Store) NearestFacility(ctx context.Context, sc auth.Scope, p geo.Point, kind string) (*NearbyFacility, error) {
	q := &query{}
	pt := point(q, p)
	q.where("kind = ?", kind)
	q.where("deleted_at IS NULL")
	q.where("location IS NOT NULL")
	q.scoped(sc, colsFor("facilities", ""))
	sql := `SELECT id, metres FROM (SELECT id, ST_Distance(location::geography, ` + pt + `::geography) AS metres FROM facilities` +
		q.sql() + ` ORDER BY location <-> ` + pt + ` LIMIT ` + q.arg(nearCandidates) + `) c ORDER BY metres, id LIMIT 1`
	var out *NearbyFacility
	err := s.Batch(ctx, []Read{scanned("nearest facility", sql, q.args, func(r pgx.Row) (*NearbyFacility, error) {
		var n NearbyFacility
		return &n, r.Scan(&n.FacilityID, &n.Metres)
	}, func(n *NearbyFacility) { out = n })})
	return out, err
}
