package store

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// The community registers (red stewards, social organisations and their party organisations,
// venture projects, building notices and conventions) share one shape of change: a row is
// read in the caller's write scope at the version the client read, the register's state
// machine (workflow.NextRegister) allows the change, the row is written only if its version is
// still the one read, and an entry of register_events records who did it, in the same
// transaction.

// RegisterEvent is one entry of a register's history.
type RegisterEvent struct {
	ID        int64
	RowID     int64
	ActorID   *int64
	ActorRole string
	Action    string
	FromState *string
	ToState   string
	Note      string
	At        time.Time
}

var registerEventColumns = cols(func(o *RegisterEvent) []column {
	return historyColumns("row_id", &o.RowID, &o.ID, &o.ActorID, &o.ActorRole, &o.Action, &o.FromState, &o.ToState, &o.Note, &o.At)
})

// registerHistory is a source of the last N entries of one register's rows.
func registerHistory(register string) *Source[EventsKey, []*RegisterEvent] {
	return lastEventsWhere("load "+register+" history", "register_events", "row_id", "register", register, registerEventColumns,
		func(e *RegisterEvent) int64 { return e.RowID })
}

// Histories of the registers, by row.
var (
	StewardHistory    = registerHistory("red_steward")
	OrgHistory        = registerHistory("social_organisation")
	PartyOrgHistory   = registerHistory("social_party_organisation")
	ProjectHistory    = registerHistory("venture_project")
	NoticeHistory     = registerHistory("building_notice")
	ConventionHistory = registerHistory("building_convention")
)

// register describes one register table for the shared change path.
type register[T any] struct {
	name    string // in register_events
	entity  string // in messages
	table   string
	sql     string // SELECT … FROM table
	cols    string // RETURNING list
	scope   scopeCols
	scan    func(pgx.Row) (*T, error)
	version func(*T) int64
	place   func(*T) (id int64, street, community, grid *int64)
	// A register whose rows end: the column and input field of the last day, and the first day.
	ended               func(*T) *time.Time
	endColumn, endField string
	started             func(*T) time.Time
}

// current reads the row id in the caller's write scope at the expected version and checks
// that action may be applied to it: out of scope is NOT_FOUND, a stale version CONFLICT, an
// ended row INVALID_TRANSITION.
func (r *register[T]) current(ctx context.Context, tx pgx.Tx, sc auth.Scope, id int64, expected *int64,
	action workflow.RegisterAction) (*T, workflow.RegisterState, error) {
	row, err := current(ctx, tx, r.sql, id, sc, r.scope, r.scan, r.version, expected, r.entity)
	if err != nil {
		return nil, "", err
	}
	state := workflow.RegisterCurrent
	if r.ended != nil {
		state = workflow.StateOf(r.ended(row))
	}
	to, err := workflow.NextRegister(r.entity, state, action)
	return row, to, err
}

// write runs an UPDATE of the row read at version (its SET and arguments; the row's id and
// version are appended) and records the change; a row changed meanwhile is CONFLICT.
func (r *register[T]) write(ctx context.Context, tx pgx.Tx, actor auth.Actor, row *T, action workflow.RegisterAction,
	to workflow.RegisterState, note, set string, args ...any) (*T, error) {
	id, _, _, _ := r.place(row)
	n := len(args)
	out, err := r.scan(tx.QueryRow(ctx, `UPDATE `+r.table+` SET `+set+` WHERE id = $`+strconv.Itoa(n+1)+` AND version = $`+
		strconv.Itoa(n+2)+` RETURNING `+r.cols, append(args, id, r.version(row))...))
	if isNoRows(err) {
		return nil, errConflict(r.entity)
	}
	if err != nil {
		return nil, err
	}
	return out, r.record(ctx, tx, actor, out, action, workflow.RegisterCurrent, to, note)
}

// record appends the history entry of a change of row.
func (r *register[T]) record(ctx context.Context, tx pgx.Tx, actor auth.Actor, row *T, action workflow.RegisterAction,
	from, to workflow.RegisterState, note string) error {
	id, street, community, grid := r.place(row)
	var fromArg any
	if action != workflow.RegisterCreate {
		fromArg = string(from)
	}
	_, err := tx.Exec(ctx, `INSERT INTO register_events (register, row_id, street_id, community_id, grid_id, actor_id, actor_role,
		action, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.name, id, street, community, grid, actor.PersonID, actor.Role, string(action), fromArg, string(to), note)
	return err
}

// end ends the row id on the day on (not before it started), with a note.
func (r *register[T]) end(ctx context.Context, s *Store, sc auth.Scope, actor auth.Actor, id int64, expected *int64,
	on time.Time, note string) (*T, error) {
	var out *T
	err := s.inTx(ctx, "end "+r.entity, func(tx pgx.Tx) error {
		row, to, err := r.current(ctx, tx, sc, id, expected, workflow.RegisterEnd)
		if err != nil {
			return err
		}
		if on.Before(r.started(row)) {
			return apperr.Invalid(r.endField, "a %s cannot end before it started", r.entity)
		}
		out, err = r.write(ctx, tx, actor, row, workflow.RegisterEnd, to, note, r.endColumn+` = $1`, on)
		return err
	})
	return out, err
}
