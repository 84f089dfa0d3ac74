package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
)

// Compound is a residential compound (小区); a market-managed one has a property company.
type Compound struct {
	ID              int64
	StreetID        int64
	CommunityID     int64
	Name            string
	MarketManaged   bool
	PropertyCompany *string
	BuiltYear       *int
	Version         int64
}

// Facility is a service centre (党群服务中心), mediation room (法律调解室) or practice station
// (新时代文明实践站).
type Facility struct {
	ID          int64
	StreetID    int64
	CommunityID int64
	CompoundID  *int64
	Kind        string
	Name        string
	Version     int64
}

// Intersection is a key traffic intersection where members do civilised-traffic duty.
type Intersection struct {
	ID          int64
	StreetID    int64
	CommunityID int64
	Name        string
	Version     int64
}

var communityPlaceCols = scopeCols{street: "street_id", community: "community_id"}

var (
	compoundSQL     = `SELECT ` + compoundColumns.list("") + ` FROM compounds`
	facilitySQL     = `SELECT ` + facilityColumns.list("") + ` FROM facilities`
	intersectionSQL = `SELECT ` + intersectionColumns.list("") + ` FROM intersections`
)

var compoundColumns = cols(func(o *Compound) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("name", &o.Name),
		col("market_managed", &o.MarketManaged), col("property_company", &o.PropertyCompany),
		col("built_year", &o.BuiltYear), col("version", &o.Version),
	}
})

func scanCompound(r pgx.Row) (*Compound, error) { return compoundColumns.scan(r) }

var facilityColumns = cols(func(o *Facility) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("compound_id", &o.CompoundID), label("kind", &o.Kind), col("name", &o.Name), col("version", &o.Version),
	}
})

func scanFacility(r pgx.Row) (*Facility, error) { return facilityColumns.scan(r) }

var intersectionColumns = cols(func(o *Intersection) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("name", &o.Name),
		col("version", &o.Version),
	}
})

func scanIntersection(r pgx.Row) (*Intersection, error) { return intersectionColumns.scan(r) }

// CompoundsByID loads compounds by id, within scope.
var CompoundsByID = rowsByID("load compounds", compoundSQL, "compounds", scanCompound, func(v *Compound) int64 { return v.ID })

// FacilitiesByID loads facilities by id, within scope.
var FacilitiesByID = rowsByID("load facilities", facilitySQL, "facilities", scanFacility, func(v *Facility) int64 { return v.ID })

// IntersectionsByID loads intersections by id, within scope.
var IntersectionsByID = rowsByID("load intersections", intersectionSQL, "intersections", scanIntersection, func(v *Intersection) int64 { return v.ID })

// Compounds lists compounds by name.
func (s *Store) Compounds(ctx context.Context, sc auth.Scope, f PlaceFilter, marketManaged *bool, p Page) (Conn[*Compound], error) {
	q := placeQuery(sc, f, communityPlaceCols)
	if marketManaged != nil {
		q.where("market_managed = ?", *marketManaged)
	}
	return listPage(ctx, s, "list compounds", "compounds", compoundSQL, q, nameKey, false, p, scanCompound,
		func(v *Compound) (any, int64) { return v.Name, v.ID })
}

// Facilities lists facilities by name, optionally of some kinds.
func (s *Store) Facilities(ctx context.Context, sc auth.Scope, f PlaceFilter, kinds []string, p Page) (Conn[*Facility], error) {
	q := placeQuery(sc, f, communityPlaceCols)
	if len(kinds) > 0 {
		q.where("kind = ANY(?)", kinds)
	}
	f.Area.apply(q, "location")
	return listPage(ctx, s, "list facilities", "facilities", facilitySQL, q, nameKey, false, p, scanFacility,
		func(v *Facility) (any, int64) { return v.Name, v.ID })
}

// Intersections lists intersections by name.
func (s *Store) Intersections(ctx context.Context, sc auth.Scope, f PlaceFilter, p Page) (Conn[*Intersection], error) {
	q := placeQuery(sc, f, communityPlaceCols)
	return listPage(ctx, s, "list intersections", "intersections", intersectionSQL, q, nameKey, false, p, scanIntersection,
		func(v *Intersection) (any, int64) { return v.Name, v.ID })
}

// AppointmentsByID loads building appointments by id, current or ended, within scope.
var AppointmentsByID = rowsByID("load appointments", `SELECT `+appointmentCols+` FROM building_appointments`, "building_appointments", scanAppointment, func(v *BuildingAppointment) int64 { return v.ID })

// RecordsByID loads service-ledger records by id, within scope.
var RecordsByID = rowsByID("load service records", `SELECT `+recordCols+` FROM service_records`, "service_records", scanRecord, func(v *ServiceRecord) int64 { return v.ID })
