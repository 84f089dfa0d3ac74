package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
)

// The kinds of unit notice, as stored in unit_notices.kind.
const (
	NoticeRating  = "rating"  // a year-end rating reached the unit; SubjectID is the rating
	NoticeCheckin = "checkin" // a check-in was decided; SubjectID is the check-in
)

// UnitNotice is one entry of a unit's inbox (通报): what the city tells an employer unit
// about one of its members.
type UnitNotice struct {
	ID             int64
	UnitID         int64
	Kind           string
	MemberID       int64
	SubjectID      int64
	StreetID       int64
	CommunityID    int64
	Text           string
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
	AcknowledgedBy *int64
	Version        int64
}

var (
	noticeCols = noticeColumns.list("")
	noticeSQL  = `SELECT ` + noticeCols + ` FROM unit_notices`
)

var noticeColumns = cols(func(o *UnitNotice) []column {
	return []column{
		col("id", &o.ID), col("unit_id", &o.UnitID), label("kind", &o.Kind), col("member_id", &o.MemberID),
		col("subject_id", &o.SubjectID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("text", &o.Text),
		col("created_at", &o.CreatedAt), col("acknowledged_at", &o.AcknowledgedAt), col("acknowledged_by", &o.AcknowledgedBy),
		col("version", &o.Version),
	}
})

func scanNotice(r pgx.Row) (*UnitNotice, error) { return noticeColumns.scan(r) }

// NoticesByID loads unit notices by id, within scope.
var NoticesByID = rowsByID("load unit notices", noticeSQL, "unit_notices", scanNotice, func(v *UnitNotice) int64 { return v.ID })

// notifyUnit writes a notice to the unit of n.MemberID, in the transaction of the change it
// reports. The unit and the place are the member's as they are now; n says the kind, the
// member, the subject and the text.
func notifyUnit(ctx context.Context, tx pgx.Tx, n UnitNotice) error {
	_, err := tx.Exec(ctx, `INSERT INTO unit_notices (unit_id, kind, member_id, subject_id, street_id, community_id, text)
		SELECT m.unit_id, $1, m.id, $2, m.street_id, m.community_id, $3 FROM party_members m WHERE m.id = $4`,
		n.Kind, n.SubjectID, n.Text, n.MemberID)
	return err
}

// acknowledgeNotices marks the unread notices of kind about subject read by actor.
func acknowledgeNotices(ctx context.Context, tx pgx.Tx, actor auth.Actor, kind string, subject int64) error {
	_, err := tx.Exec(ctx, `UPDATE unit_notices SET acknowledged_at = now(), acknowledged_by = $1
		WHERE kind = $2 AND subject_id = $3 AND acknowledged_at IS NULL AND deleted_at IS NULL`, actor.PersonID, kind, subject)
	return err
}

// NoticeFilter narrows a unit's inbox.
type NoticeFilter struct {
	Kinds        []string
	Acknowledged *bool
	UnitID       *int64
}

// UnitNotices lists notices newest first: a unit admin's scope keeps their unit's.
func (s *Store) UnitNotices(ctx context.Context, sc auth.Scope, f NoticeFilter, p Page) (Conn[*UnitNotice], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("unit_notices", ""))
	if len(f.Kinds) > 0 {
		q.where("kind = ANY(?)", f.Kinds)
	}
	if f.Acknowledged != nil {
		q.where("(acknowledged_at IS NOT NULL) = ?", *f.Acknowledged)
	}
	if f.UnitID != nil {
		q.where("unit_id = ?", *f.UnitID)
	}
	return listPage(ctx, s, "list unit notices", "unit_notices", noticeSQL, q, sortKey{name: "CREATED_AT", expr: "created_at", kind: keyTime},
		true, p, scanNotice, func(o *UnitNotice) (any, int64) { return o.CreatedAt, o.ID })
}
