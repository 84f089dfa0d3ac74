package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// The registers (red stewards, social organisations and their party organisations, venture
// projects, building notices and conventions; grid staffing, governance instructors,
// co-building partners, duty shifts and residents' records) share one shape of change: a row
// is read in the caller's write scope at the version the client read, the register's state
// machine (workflow.NextRegister) allows the change, the row is written only if its version is
// still the one read, and an entry of register_events records who did it, in the same
// transaction. A row that ends is never deleted: ending it sets its end day, so the register
// with its ended rows is its history.

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
	// A register whose rows end: the column of the last day, and the first day.
	ended     func(*T) *time.Time
	endColumn string
	started   func(*T) time.Time
}

// registerOf describes a register whose rows are read and returned as cs declares them.
func registerOf[T any](name, entity, table string, scope scopeCols, cs *columns[T], version func(*T) int64,
	place func(*T) (int64, *int64, *int64, *int64)) *register[T] {
	list := cs.list("")
	return &register[T]{name: name, entity: entity, table: table, sql: `SELECT ` + list + ` FROM ` + table, cols: list,
		scope: scope, scan: cs.scan, version: version, place: place}
}

// ending gives r rows that end on the day in column, having started on the day started gives.
func (r *register[T]) ending(column string, ended func(*T) *time.Time, started func(*T) time.Time) *register[T] {
	r.endColumn, r.ended, r.started = column, ended, started
	return r
}

// current reads the row id in the caller's write scope at the expected version and checks
// that action may be applied to it: out of scope is NOT_FOUND, a stale version CONFLICT, an
// ended row INVALID_TRANSITION.
func (r *register[T]) current(ctx context.Context, tx pgx.Tx, sc auth.Scope, id int64, expected *int64,
	action workflow.RegisterAction) (*T, workflow.RegisterState, error) {
	row, err := r.read(ctx, tx, sc, id, expected)
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

// read reads the row id in the caller's write scope at the expected version, whatever its
// state: out of scope is NOT_FOUND, a stale version CONFLICT.
func (r *register[T]) read(ctx context.Context, tx pgx.Tx, sc auth.Scope, id int64, expected *int64) (*T, error) {
	return current(ctx, tx, r.sql, id, sc, r.scope, r.scan, r.version, expected, r.entity)
}

// insert runs an INSERT of a new row (its columns and arguments) and records its creation.
func (r *register[T]) insert(ctx context.Context, tx pgx.Tx, actor auth.Actor, columns string, args ...any) (*T, error) {
	marks := ""
	for i := range args {
		if i > 0 {
			marks += ", "
		}
		marks += fmt.Sprintf("$%d", i+1)
	}
	out, err := r.scan(tx.QueryRow(ctx, `INSERT INTO `+r.table+` (`+columns+`) VALUES (`+marks+`) RETURNING `+r.cols, args...))
	if err != nil {
		return nil, err
	}
	return out, r.record(ctx, tx, actor, out, workflow.RegisterCreate, "", workflow.RegisterCurrent, "")
}

// appoint registers a person with a community of the scope from the day in startColumn: the
// person is current in the register once at a time. The row's first columns are person_id,
// street_id and community_id; columns and args give the rest.
func (r *register[T]) appoint(ctx context.Context, s *Store, sc auth.Scope, actor auth.Actor, personID, communityID int64,
	startColumn, columns string, args ...any) (*T, error) {
	var out *T
	err := s.inTx(ctx, "register "+r.entity, func(tx pgx.Tx) error {
		street, err := communityStreet(ctx, tx, sc, communityID)
		if err != nil {
			return err
		}
		if err := lockPerson(ctx, tx, personID); err != nil {
			return err
		}
		if err := refuseCurrent(ctx, tx, r.table, startColumn, r.endColumn, personID, 0, r.entity); err != nil {
			return err
		}
		out, err = r.insert(ctx, tx, actor, `person_id, street_id, community_id, `+columns, append([]any{personID, street, communityID}, args...)...)
		return err
	})
	return out, err
}

// write runs an UPDATE of the row read at version (its SET and arguments; the row's id and
// version are appended) and records the change; a row changed meanwhile is CONFLICT.
func (r *register[T]) write(ctx context.Context, tx pgx.Tx, actor auth.Actor, row *T, action workflow.RegisterAction,
	to workflow.RegisterState, note, set string, args ...any) (*T, error) {
	id, _, _, _ := r.place(row)
	n := len(args)
	out, err := r.scan(tx.QueryRow(ctx, fmt.Sprintf(`UPDATE %s SET %s WHERE id = $%d AND version = $%d RETURNING %s`,
		r.table, set, n+1, n+2, r.cols), append(args, id, r.version(row))...))
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

// update changes a current row id in its own transaction: change gets the row as read and
// gives the SET and arguments write takes, after checking what it must.
func (r *register[T]) update(ctx context.Context, s *Store, sc auth.Scope, actor auth.Actor, id int64, expected *int64,
	change func(tx pgx.Tx, row *T) (set string, args []any, err error)) (*T, error) {
	var out *T
	err := s.inTx(ctx, "update "+r.entity, func(tx pgx.Tx) error {
		row, to, err := r.current(ctx, tx, sc, id, expected, workflow.RegisterUpdate)
		if err != nil {
			return err
		}
		set, args, err := change(tx, row)
		if err != nil {
			return err
		}
		out, err = r.write(ctx, tx, actor, row, workflow.RegisterUpdate, to, "", set, args...)
		return err
	})
	return out, err
}

// end ends the row id on the day on, with a note: a row ends once, not before it started and
// not ahead of time.
func (r *register[T]) end(ctx context.Context, s *Store, sc auth.Scope, actor auth.Actor, id int64, expected *int64,
	on time.Time, note string) (*T, error) {
	var out *T
	err := s.inTx(ctx, "end "+r.entity, func(tx pgx.Tx) error {
		row, to, err := r.current(ctx, tx, sc, id, expected, workflow.RegisterEnd)
		if err != nil {
			return err
		}
		if err := checkSpan(r.entity, r.endColumn, r.started(row), &on); err != nil {
			return err
		}
		out, err = r.write(ctx, tx, actor, row, workflow.RegisterEnd, to, note, r.endColumn+` = $1`, on)
		return err
	})
	return out, err
}

// checkSpan refuses an end day before the start day, or one still to come (a row ends when it
// has ended; until then it is current).
func checkSpan(what, endColumn string, start time.Time, end *time.Time) error {
	switch {
	case end == nil:
		return nil
	case end.Before(start):
		return apperr.Invalid(camel(endColumn), "a %s cannot end before it started (%s)", what, start.Format(time.DateOnly))
	case end.After(today()):
		return apperr.Invalid(camel(endColumn), "a %s ends on a day that has come; until then it is current", what)
	}
	return nil
}

// camel gives the GraphQL name of a column: ended_on → endedOn.
func camel(col string) string {
	out := make([]byte, 0, len(col))
	up := false
	for i := range len(col) {
		switch c := col[i]; {
		case c == '_':
			up = true
		case up && c >= 'a' && c <= 'z':
			out, up = append(out, c-'a'+'A'), false
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// pick gives *v when the input carries a value, else keep.
func pick[V any](v *V, keep V) V {
	if v != nil {
		return *v
	}
	return keep
}

// lockPerson serialises the writes naming one person, so two requests cannot both find
// them free and both register them.
func lockPerson(ctx context.Context, tx pgx.Tx, personID int64) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM people WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`, personID).Scan(&one)
	if isNoRows(err) {
		return apperr.Invalid("personId", "no such person")
	}
	return err
}

// refuseCurrent refuses a second current row of a person in table: BAD_USER_INPUT naming
// since when the current one runs.
func refuseCurrent(ctx context.Context, tx pgx.Tx, table, startCol, endCol string, personID int64, except int64, what string) error {
	var since time.Time
	err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE person_id = $1 AND id <> $2 AND %s IS NULL AND deleted_at IS NULL`,
		startCol, table, endCol), personID, except).Scan(&since)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return apperr.Invalid("personId", "this person is already a current %s (since %s); end that first", what,
		since.Format(time.DateOnly))
}
