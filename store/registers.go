package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
)

// Registers of people on duty: grid staffing, governance instructors, co-building partners and
// residents' records. A row runs from a start day to an end day and is never deleted: ending
// it sets the end day, so a register with its ended rows is its history, and the audit log
// (written by trigger inside the write's transaction) says who changed what.

// register says how the rows of one table start, end and are written back: the steps every
// change and every end of such a row share.
type register[T any] struct {
	table, what string // the table; what one row is called in messages
	scope       scopeCols
	columns     *columns[T]
	endCol      string // the column of the end day
	endWord     string // what an ended row is: "ended", "moved out"
	version     func(*T) int64
	id          func(*T) int64
	started     func(*T) time.Time
	ended       func(*T) *time.Time
}

func (r register[T]) selectSQL() string { return `SELECT ` + r.columns.list("") + ` FROM ` + r.table }

// open reads row id of the register within scope, as the client last saw it (stale is
// CONFLICT), and refuses it once ended: INVALID_TRANSITION naming its state.
func (r register[T]) open(ctx context.Context, tx pgx.Tx, sc auth.Scope, id int64, expected *int64, action string) (*T, error) {
	cur, err := current(ctx, tx, r.selectSQL(), id, sc, r.scope, r.columns.scan, r.version, expected, r.what)
	if err != nil {
		return nil, err
	}
	if end := r.ended(cur); end != nil {
		return nil, apperr.New(apperr.InvalidTransition, "cannot %s the %s: it is %s (since %s)", action, r.what, r.endWord,
			end.Format(time.DateOnly))
	}
	return cur, nil
}

// write sets the columns of set (assignments with $1.. bound to args) on the row as read,
// if nobody changed it since: CONFLICT otherwise.
func (r register[T]) write(ctx context.Context, tx pgx.Tx, row *T, set string, args ...any) (*T, error) {
	n := len(args)
	out, err := r.columns.scan(tx.QueryRow(ctx, fmt.Sprintf(`UPDATE %s SET %s WHERE id = $%d AND version = $%d RETURNING %s`,
		r.table, set, n+1, n+2, r.columns.list("")), append(args, r.id(row), r.version(row))...))
	if isNoRows(err) {
		return nil, errConflict(r.what)
	}
	return out, err
}

// end ends row id on day on: a row ends once, not before it started and not ahead of time.
func (r register[T]) end(ctx context.Context, s *Store, sc auth.Scope, id int64, expected *int64, on time.Time) (*T, error) {
	var out *T
	err := s.inTx(ctx, "end "+r.what, func(tx pgx.Tx) error {
		cur, err := r.open(ctx, tx, sc, id, expected, "end")
		if err != nil {
			return err
		}
		if err := checkSpan(r.what, r.endCol, r.started(cur), &on); err != nil {
			return err
		}
		out, err = r.write(ctx, tx, cur, r.endCol+` = $1`, on)
		return err
	})
	return out, err
}

// checkSpan refuses an end day before the start day, or one still to come (a row ends when it
// has ended; until then it is current).
func checkSpan(what, endField string, start time.Time, end *time.Time) error {
	switch {
	case end == nil:
		return nil
	case end.Before(start):
		return apperr.Invalid(camel(endField), "a %s cannot end before it started (%s)", what, start.Format(time.DateOnly))
	case end.After(today()):
		return apperr.Invalid(camel(endField), "a %s ends on a day that has come; until then it is current", what)
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

// communityStreet reads the street of a community in scope: BAD_USER_INPUT at field when the
// scope holds no such community.
func communityStreet(ctx context.Context, tx pgx.Tx, sc auth.Scope, communityID int64) (int64, error) {
	q := &query{}
	q.where("id = ?", communityID)
	q.where("deleted_at IS NULL")
	q.scoped(sc, communityCols)
	var street int64
	err := tx.QueryRow(ctx, `SELECT street_id FROM communities`+q.sql(), q.args...).Scan(&street)
	if isNoRows(err) {
		return 0, apperr.Invalid("communityId", "no such community")
	}
	return street, err
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
