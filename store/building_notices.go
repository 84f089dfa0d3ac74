package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// A building has one leader's public notice (楼栋长公示) and one convention (楼栋公约): the
// first publication creates it, later ones change it at the version the client read. Its
// residents and the party members living in it read them; cadres over the building write them.

// BuildingNotice is the building leader's public notice of a building.
type BuildingNotice struct {
	ID          int64
	BuildingID  int64
	StreetID    int64
	CommunityID int64
	GridID      int64
	LeaderName  string
	Contact     string
	Duties      string
	Commitments string
	PublishedAt time.Time
	Version     int64
}

// BuildingConvention is the convention a building adopted.
type BuildingConvention struct {
	ID          int64
	BuildingID  int64
	StreetID    int64
	CommunityID int64
	GridID      int64
	Body        string
	AdoptedOn   time.Time
	Version     int64
}

var buildingNoticeColumns = cols(func(o *BuildingNotice) []column {
	return []column{
		col("id", &o.ID), col("building_id", &o.BuildingID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("grid_id", &o.GridID), col("leader_name", &o.LeaderName), col("contact", &o.Contact), col("duties", &o.Duties),
		col("commitments", &o.Commitments), col("published_at", &o.PublishedAt), col("version", &o.Version),
	}
})

var conventionColumns = cols(func(o *BuildingConvention) []column {
	return []column{
		col("id", &o.ID), col("building_id", &o.BuildingID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("grid_id", &o.GridID), col("body", &o.Body), col("adopted_on", &o.AdoptedOn), col("version", &o.Version),
	}
})

func scanBuildingNotice(r pgx.Row) (*BuildingNotice, error) { return buildingNoticeColumns.scan(r) }
func scanConvention(r pgx.Row) (*BuildingConvention, error) { return conventionColumns.scan(r) }

var (
	buildingNoticeCols = buildingNoticeColumns.list("")
	conventionCols     = conventionColumns.list("")
	buildingNoticeSQL  = `SELECT ` + buildingNoticeCols + ` FROM building_notices`
	conventionSQL      = `SELECT ` + conventionCols + ` FROM building_conventions`
)

// BuildingNoticesByID loads building notices by id, within scope.
var BuildingNoticesByID = rowsByID("load building notices", buildingNoticeSQL, "building_notices", scanBuildingNotice, func(v *BuildingNotice) int64 { return v.ID })

// ConventionsByID loads building conventions by id, within scope.
var ConventionsByID = rowsByID("load building conventions", conventionSQL, "building_conventions", scanConvention,
	func(v *BuildingConvention) int64 { return v.ID })

var buildingNotices = &register[BuildingNotice]{
	name: "building_notice", entity: "building notice", table: "building_notices", sql: buildingNoticeSQL, cols: buildingNoticeCols,
	scope: colsFor("building_notices", ""), scan: scanBuildingNotice, version: func(v *BuildingNotice) int64 { return v.Version },
	place: func(v *BuildingNotice) (int64, *int64, *int64, *int64) {
		return v.ID, &v.StreetID, &v.CommunityID, &v.GridID
	},
}

var conventions = &register[BuildingConvention]{
	name: "building_convention", entity: "building convention", table: "building_conventions", sql: conventionSQL,
	cols: conventionCols, scope: colsFor("building_conventions", ""), scan: scanConvention,
	version: func(v *BuildingConvention) int64 { return v.Version },
	place: func(v *BuildingConvention) (int64, *int64, *int64, *int64) {
		return v.ID, &v.StreetID, &v.CommunityID, &v.GridID
	},
}

// ofBuilding reads the one row of table that belongs to a building, within scope; nil when
// there is none the caller may read.
func ofBuilding[T any](ctx context.Context, q querier, sc auth.Scope, table, selectSQL string, scan func(pgx.Row) (*T, error), building int64) (*T, error) {
	qq := &query{}
	qq.where("building_id = ?", building)
	qq.where("deleted_at IS NULL")
	qq.scoped(sc, colsFor(table, ""))
	v, err := scan(q.QueryRow(ctx, selectSQL+qq.sql(), qq.args...))
	if isNoRows(err) {
		return nil, nil
	}
	return v, err
}

// NoticeOf reads the building's notice, if the caller may read it.
func (s *Store) NoticeOf(ctx context.Context, sc auth.Scope, building int64) (*BuildingNotice, error) {
	v, err := ofBuilding(ctx, s.pool, sc, "building_notices", buildingNoticeSQL, scanBuildingNotice, building)
	return v, MapError("read building notice", err)
}

// ConventionOf reads the building's convention, if the caller may read it.
func (s *Store) ConventionOf(ctx context.Context, sc auth.Scope, building int64) (*BuildingConvention, error) {
	v, err := ofBuilding(ctx, s.pool, sc, "building_conventions", conventionSQL, scanConvention, building)
	return v, MapError("read building convention", err)
}

// buildingPlace reads a building's street, community and grid within scope.
func buildingPlace(ctx context.Context, tx pgx.Tx, sc auth.Scope, building int64) (street, community, grid int64, err error) {
	q := &query{}
	q.where("id = ?", building)
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("buildings", ""))
	err = tx.QueryRow(ctx, `SELECT street_id, community_id, grid_id FROM buildings`+q.sql(), q.args...).Scan(&street, &community, &grid)
	if isNoRows(err) {
		return 0, 0, 0, apperr.Invalid("buildingId", "no such building")
	}
	return street, community, grid, err
}

// publishOne writes a building's one row of r: insert it when the building has none (a
// version given then is CONFLICT: it names a row that is gone), else change it at the version
// read (required). insert and set write the fields; set's arguments start at $1.
func publishOne[T any](ctx context.Context, s *Store, sc auth.Scope, actor auth.Actor, r *register[T], building int64, expected *int64,
	insert func(tx pgx.Tx, street, community, grid int64) (*T, error), set string, args ...any) (*T, error) {
	var out *T
	err := s.inTx(ctx, "publish "+r.entity, func(tx pgx.Tx) error {
		street, community, grid, err := buildingPlace(ctx, tx, sc, building)
		if err != nil {
			return err
		}
		old, err := ofBuilding(ctx, tx, sc, r.table, r.sql, r.scan, building)
		if err != nil {
			return err
		}
		if old == nil {
			if expected != nil {
				return errConflict(r.entity)
			}
			if out, err = insert(tx, street, community, grid); err != nil {
				return err
			}
			return r.record(ctx, tx, actor, out, workflow.RegisterCreate, "", workflow.RegisterCurrent, "")
		}
		if expected == nil {
			return apperr.Invalid("version", "the %s is published already: pass the version read to change it", r.entity)
		}
		id, _, _, _ := r.place(old)
		row, to, err := r.current(ctx, tx, sc, id, expected, workflow.RegisterUpdate)
		if err != nil {
			return err
		}
		out, err = r.write(ctx, tx, actor, row, workflow.RegisterUpdate, to, "", set, args...)
		return err
	})
	return out, err
}

// NoticeInput is a building leader's public notice as published.
type NoticeInput struct {
	LeaderName, Contact, Duties, Commitments string
}

// PublishNotice publishes the building's notice, or changes the published one.
func (s *Store) PublishNotice(ctx context.Context, sc auth.Scope, actor auth.Actor, building int64, expected *int64, in NoticeInput) (*BuildingNotice, error) {
	leader, err := required("leaderName", in.LeaderName, "the building leader's name cannot be blank")
	if err != nil {
		return nil, err
	}
	return publishOne(ctx, s, sc, actor, buildingNotices, building, expected, func(tx pgx.Tx, street, community, grid int64) (*BuildingNotice, error) {
		return scanBuildingNotice(tx.QueryRow(ctx, `INSERT INTO building_notices (building_id, street_id, community_id, grid_id, leader_name,
			contact, duties, commitments, published_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+buildingNoticeCols,
			building, street, community, grid, leader, in.Contact, in.Duties, in.Commitments, actor.PersonID))
	}, `leader_name = $1, contact = $2, duties = $3, commitments = $4, published_at = now(), published_by = $5`,
		leader, in.Contact, in.Duties, in.Commitments, actor.PersonID)
}

// AdoptConvention records the building's convention, or its new text.
func (s *Store) AdoptConvention(ctx context.Context, sc auth.Scope, actor auth.Actor, building int64, expected *int64, body string, on time.Time) (*BuildingConvention, error) {
	body, err := required("body", body, "a convention's text cannot be blank")
	if err != nil {
		return nil, err
	}
	return publishOne(ctx, s, sc, actor, conventions, building, expected, func(tx pgx.Tx, street, community, grid int64) (*BuildingConvention, error) {
		return scanConvention(tx.QueryRow(ctx, `INSERT INTO building_conventions (building_id, street_id, community_id, grid_id, body,
			adopted_on) VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+conventionCols, building, street, community, grid, body, on))
	}, `body = $1, adopted_on = $2`, body, on)
}
