package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
)

// Ref is one id a write names: a row of Table, named by the input at Field (its path, for the
// error) as a Kind (the type clients know it by). Target marks the row the write changes,
// which the caller must be allowed to change, not only to see. Directory marks an id the
// schema looks up in the city-wide directory of its type (@ref(directory: true)): any live
// row, whatever the caller's scope (the community a check-in is transferred to).
type Ref struct {
	Table     string
	ID        int64
	Field     string
	Kind      string
	Target    bool
	Directory bool
}

// Resolve checks, in the transaction of the Write that ctx is in, that every ref names a live
// row the caller may reach: one statement per table, narrowed by the caller's scope in SQL. The
// first ref that names nothing is NOT_FOUND, and an id out of scope reads exactly like an
// absent one: the same statement finds neither, and the error names only the field and kind.
func (s *Store) Resolve(ctx context.Context, sc auth.Scope, refs []Ref) error {
	if len(refs) == 0 {
		return nil
	}
	return s.inTx(ctx, "resolve references", func(tx pgx.Tx) error {
		type group struct {
			table             string
			target, directory bool
		}
		ids := map[group][]int64{}
		var order []group
		for _, r := range refs {
			g := group{r.Table, r.Target, r.Directory}
			if _, ok := ids[g]; !ok {
				order = append(order, g)
			}
			ids[g] = append(ids[g], r.ID)
		}
		found := map[group]map[int64]bool{}
		for _, g := range order {
			q := &query{}
			q.where("id = ANY(?)", ids[g])
			q.where("deleted_at IS NULL")
			if !g.directory || g.target { // a row the write changes is always in scope
				refScope(q, sc, g.table, g.target)
			}
			rows, err := tx.Query(ctx, `SELECT id FROM `+g.table+q.sql(), q.args...)
			if err != nil {
				return err
			}
			live, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return err
			}
			found[g] = map[int64]bool{}
			for _, id := range live {
				found[g][id] = true
			}
		}
		for _, r := range refs {
			if !found[group{r.Table, r.Target, r.Directory}][r.ID] {
				return &apperr.Error{Code: apperr.NotFound, Field: r.Field, Message: "no " + r.Kind + " with this id"}
			}
		}
		return nil
	})
}

// refScope narrows the rows of table a write may name: what the caller reads of it, but for
// the rows written below.
func refScope(q *query, sc auth.Scope, table string, target bool) {
	if c, ok := writeScopes[table]; ok && target {
		q.scoped(sc, c)
		return
	}
	if table == "people" && sc.Self == 0 && sc.UnitID == 0 {
		personRef(q, sc)
		return
	}
	q.scoped(sc, colsFor(table, ""))
}

// writeScopes are the tables whose rows every place-scoped role reads (city-wide directories)
// but only the place that owns a row may change: a volunteer team belongs to its street, or to
// the street of its social organisation; a municipal agency's team to the city.
var writeScopes = map[string]scopeCols{
	"volunteer_teams":            {street: `coalesce(street_id, (SELECT o.street_id FROM social_organisations o WHERE o.id = social_organisation_id))`},
	"social_organisations":       {street: "street_id"},
	"social_party_organisations": {street: `(SELECT o.street_id FROM social_organisations o WHERE o.id = social_organisation_id)`},
}

// servesIn are the roles that place a person where they serve, whatever their home: a
// community's cadres, partners, volunteers, red stewards, instructors and mediators. A role
// that ends (current, the condition of a current row) places them there while it lasts.
var servesIn = []struct{ table, person, current string }{
	{"cadres", "person_id", ""}, {"partners", "person_id", "ended_on IS NULL"}, {"volunteers", "person_id", ""},
	{"red_stewards", "person_id", ""}, {"governance_instructors", "person_id", "ended_on IS NULL"},
	{"mediation_room_members", "(SELECT m.person_id FROM party_members m WHERE m.id = member_id)", ""},
}

// personRef keeps the people a write of a place-scoped role may name: those who live in its
// scope, and those who serve there (a dispatch to the community's cadre, a volunteer at its
// activity), so that no write reaches a person the caller's place has nothing to do with.
func personRef(q *query, sc auth.Scope) {
	alts := []func(*query){func(h *query) { h.scoped(sc, colsFor("people", "")) }}
	for _, r := range servesIn {
		alts = append(alts, func(h *query) {
			sub := &query{args: h.args}
			sub.where("deleted_at IS NULL")
			if r.current != "" {
				sub.where(r.current)
			}
			sub.scoped(sc, colsFor(r.table, ""))
			h.args = sub.args
			h.conds = append(h.conds, "id IN (SELECT "+r.person+" FROM "+r.table+sub.sql()+")")
		})
	}
	q.anyOf(alts...)
}

// anyOf adds one condition: rows that meet any of the alternatives, each written on a query
// sharing q's arguments. An alternative without conditions keeps every row: then nothing is
// added.
func (q *query) anyOf(alts ...func(*query)) {
	args, ors := q.args, []string(nil)
	for _, alt := range alts {
		sub := &query{args: args}
		alt(sub)
		if len(sub.conds) == 0 {
			return
		}
		args = sub.args
		ors = append(ors, "("+strings.Join(sub.conds, " AND ")+")")
	}
	q.args = args
	q.conds = append(q.conds, "("+strings.Join(ors, " OR ")+")")
}
