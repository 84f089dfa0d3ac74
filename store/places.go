package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
)

// City is the top of every scope (市).
type City struct {
	ID      int64
	Code    string
	Name    string
	Version int64
}

// Street is a sub-district or town office (街道 / 镇街).
type Street struct {
	ID      int64
	CityID  int64
	Code    string
	Name    string
	Kind    string
	Version int64
}

// Community is a residents' community (社区).
type Community struct {
	ID          int64
	StreetID    int64
	Code        string
	Name        string
	HasPartyOrg bool
	Version     int64
}

// Grid is the smallest cell of management (网格).
type Grid struct {
	ID          int64
	StreetID    int64
	CommunityID int64
	Code        string
	Name        string
	Households  int
	Version     int64
}

// Building is one building (楼栋) in a grid.
type Building struct {
	ID                int64
	StreetID          int64
	CommunityID       int64
	GridID            int64
	CompoundID        *int64
	Number            string
	Floors            int
	Households        int
	CovenantAdoptedOn *time.Time
	Version           int64
}

// PlaceFilter narrows a list of places to a part of the tree and a name.
type PlaceFilter struct {
	StreetID    *int64
	CommunityID *int64
	GridID      *int64
	Search      string
	// Area narrows lists of located rows (buildings, facilities, issues) to a part of the map;
	// other lists have no location and take none.
	Area Area
}

// apply narrows q to the place f names, in the columns c gives the table's places.
// A place finer than the table records narrows to the place that holds it: a community-level
// list (partners, meetings, facilities) filtered by a grid gives the rows of the grid's
// community, a street-level one those of its street; an absent place matches nothing. (The
// filter was once skipped on such tables, which answered the whole scope.)
func (f PlaceFilter) apply(q *query, c scopeCols) {
	if f.StreetID != nil && c.street != "" {
		q.where(c.street+" = ?", *f.StreetID)
	}
	if f.CommunityID != nil {
		switch {
		case c.community != "":
			q.where(c.community+" = ?", *f.CommunityID)
		case c.street != "":
			q.where(c.street+" = (SELECT street_id FROM communities WHERE id = ?)", *f.CommunityID)
		}
	}
	if f.GridID != nil {
		switch {
		case c.grid != "":
			q.where(c.grid+" = ?", *f.GridID)
		case c.community != "":
			q.where(c.community+" = (SELECT community_id FROM grids WHERE id = ?)", *f.GridID)
		case c.street != "":
			q.where(c.street+" = (SELECT street_id FROM grids WHERE id = ?)", *f.GridID)
		}
	}
}

var (
	streetCols    = colsFor("streets", "")
	communityCols = colsFor("communities", "")
	gridCols      = colsFor("grids", "")
	placeCols     = scopeCols{street: "street_id", community: "community_id", grid: "grid_id"}
	nameKey       = sortKey{name: "NAME", expr: "name", kind: keyText}
	codeKey       = sortKey{name: "CODE", expr: "code", kind: keyText}
	numberKey     = sortKey{name: "NUMBER", expr: "number", kind: keyText}
)

var (
	citySQL      = `SELECT ` + cityColumns.list("") + ` FROM cities`
	streetSQL    = `SELECT ` + streetColumns.list("") + ` FROM streets`
	communitySQL = `SELECT ` + communityColumns.list("") + ` FROM communities`
	gridSQL      = `SELECT ` + gridColumns.list("") + ` FROM grids`
	buildingSQL  = `SELECT ` + buildingColumns.list("") + ` FROM buildings`
)

var cityColumns = cols(func(o *City) []column {
	return []column{
		col("id", &o.ID), col("code", &o.Code), col("name", &o.Name), col("version", &o.Version),
	}
})

func scanCity(r pgx.Row) (*City, error) { return cityColumns.scan(r) }

var streetColumns = cols(func(o *Street) []column {
	return []column{
		col("id", &o.ID), col("city_id", &o.CityID), col("code", &o.Code), col("name", &o.Name), label("kind", &o.Kind),
		col("version", &o.Version),
	}
})

func scanStreet(r pgx.Row) (*Street, error) { return streetColumns.scan(r) }

var communityColumns = cols(func(o *Community) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("code", &o.Code), col("name", &o.Name),
		col("has_party_org", &o.HasPartyOrg), col("version", &o.Version),
	}
})

func scanCommunity(r pgx.Row) (*Community, error) { return communityColumns.scan(r) }

var gridColumns = cols(func(o *Grid) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("code", &o.Code),
		col("name", &o.Name), col("households", &o.Households), col("version", &o.Version),
	}
})

func scanGrid(r pgx.Row) (*Grid, error) { return gridColumns.scan(r) }

var buildingColumns = cols(func(o *Building) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("grid_id", &o.GridID),
		col("compound_id", &o.CompoundID), col("number", &o.Number), col("floors", &o.Floors),
		col("households", &o.Households), col("covenant_adopted_on", &o.CovenantAdoptedOn), col("version", &o.Version),
	}
})

func scanBuilding(r pgx.Row) (*Building, error) { return buildingColumns.scan(r) }

// idsQuery builds "base WHERE id = ANY($1) AND deleted_at IS NULL AND scope".
func idsQuery(base string, ids []int64, sc auth.Scope, c scopeCols) (string, []any) {
	q := &query{}
	q.where("id = ANY(?)", ids)
	q.where("deleted_at IS NULL")
	q.scoped(sc, c)
	return base + q.sql(), q.args
}

// CitiesByID loads cities by id.
var CitiesByID = rowsByID("load cities", citySQL, "cities", scanCity, func(c *City) int64 { return c.ID })

// StreetsByID loads streets by id, within scope.
var StreetsByID = rowsByID("load streets", streetSQL, "streets", scanStreet, func(v *Street) int64 { return v.ID })

// CommunitiesByID loads communities by id, within scope.
var CommunitiesByID = rowsByID("load communities", communitySQL, "communities", scanCommunity, func(v *Community) int64 { return v.ID })

// GridsByID loads grids by id, within scope.
var GridsByID = rowsByID("load grids", gridSQL, "grids", scanGrid, func(v *Grid) int64 { return v.ID })

// BuildingsByID loads buildings by id, within scope.
var BuildingsByID = rowsByID("load buildings", buildingSQL, "buildings", scanBuilding, func(v *Building) int64 { return v.ID })

// listPage runs one keyset page over base (a select from from) with q's filters, in key order.
// When p asks for the total, the count of every match is read in the same round trip.
func listPage[T any](ctx context.Context, s *Store, op, from, base string, q *query, key sortKey, desc bool, p Page,
	scan func(pgx.Row) (T, error), keyOf func(T) (any, int64)) (Conn[T], error) {
	order := listOrder(op, key, desc)
	spec, err := checkPage(p, order)
	if err != nil {
		return Conn[T]{}, err
	}
	var c Conn[T]
	var reads []Read
	if spec.limit > 0 {
		page := q.clone()
		tail := keyset(page, key, desc, spec)
		reads = append(reads, Read{op: op, sql: base + page.sql() + tail, args: page.args, rows: func(rows pgx.Rows) error {
			list, err := collect(rows, scan)
			c = finish(list, spec, order, keyOf)
			return err
		}})
	}
	if p.Total {
		reads = append(reads, Read{op: op, sql: "SELECT count(*) FROM " + from + q.sql(), args: q.args, rows: func(rows pgx.Rows) error {
			total, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[int])
			c.Total = total
			return err
		}})
	}
	err = s.Batch(ctx, reads)
	return c, err
}

func placeQuery(sc auth.Scope, f PlaceFilter, c scopeCols) *query {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, c)
	f.apply(q, c)
	q.textSearch(f.Search, "name")
	return q
}

// Streets lists streets by name.
func (s *Store) Streets(ctx context.Context, sc auth.Scope, f PlaceFilter, p Page) (Conn[*Street], error) {
	q := placeQuery(sc, f, streetCols)
	return listPage(ctx, s, "list streets", "streets", streetSQL, q, nameKey, false, p, scanStreet,
		func(v *Street) (any, int64) { return v.Name, v.ID })
}

// Communities lists communities by name.
func (s *Store) Communities(ctx context.Context, sc auth.Scope, f PlaceFilter, p Page) (Conn[*Community], error) {
	q := placeQuery(sc, f, communityCols)
	return listPage(ctx, s, "list communities", "communities", communitySQL, q, nameKey, false, p, scanCommunity,
		func(v *Community) (any, int64) { return v.Name, v.ID })
}

// Grids lists grids by code.
func (s *Store) Grids(ctx context.Context, sc auth.Scope, f PlaceFilter, p Page) (Conn[*Grid], error) {
	q := placeQuery(sc, f, gridCols)
	return listPage(ctx, s, "list grids", "grids", gridSQL, q, codeKey, false, p, scanGrid,
		func(v *Grid) (any, int64) { return v.Code, v.ID })
}

// Buildings lists buildings by number.
func (s *Store) Buildings(ctx context.Context, sc auth.Scope, f PlaceFilter, p Page) (Conn[*Building], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("buildings", ""))
	f.apply(q, placeCols)
	q.textSearch(f.Search, "number")
	f.Area.apply(q, "location")
	return listPage(ctx, s, "list buildings", "buildings", buildingSQL, q, numberKey, false, p, scanBuilding,
		func(v *Building) (any, int64) { return v.Number, v.ID })
}
