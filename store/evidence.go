package store

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/evidence"
	"gridgov/workflow"
)

// Evidence (佐证): photos and documents attached to an issue at its report or resolution, or
// to a record of the service ledger. The rows are the references to the bytes in the
// evidence store (evidence.Blobs), by the SHA-256 of those bytes. Bytes are written inside
// the transaction that writes their row, under a lock on their key held until it ends, and
// deleted only once no live row refers to them, under the same lock taken exclusively
// (ReleaseEvidence): so a row never refers to deleted bytes, and a failed write leaves none
// behind that a row could be thought to refer to.

// Evidence is one attached file.
type Evidence struct {
	ID              int64
	IssueID         *int64
	ServiceRecordID *int64
	StreetID        int64
	CommunityID     int64
	GridID          *int64
	Stage           string
	SHA256          string
	ThumbSHA256     *string
	MediaType       string
	Bytes           int64
	Width           *int
	Height          *int
	Caption         string
	UploaderID      int64
	UploadedAt      time.Time
	Version         int64
}

var evidenceColumns = cols(func(o *Evidence) []column {
	return []column{
		col("id", &o.ID), col("issue_id", &o.IssueID), col("service_record_id", &o.ServiceRecordID),
		col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("grid_id", &o.GridID),
		label("stage", &o.Stage), col("sha256", &o.SHA256), col("thumb_sha256", &o.ThumbSHA256),
		label("media_type", &o.MediaType), col("bytes", &o.Bytes), col("width", &o.Width), col("height", &o.Height),
		col("caption", &o.Caption), col("uploaded_by", &o.UploaderID), col("uploaded_at", &o.UploadedAt),
		col("version", &o.Version),
	}
})

var evidenceSQL = `SELECT ` + evidenceColumns.list("") + ` FROM evidence`

func scanEvidence(r pgx.Row) (*Evidence, error) { return evidenceColumns.scan(r) }

// EvidenceByID loads evidence by id, within scope; removed evidence is absent.
var EvidenceByID = rowsByID("load evidence", evidenceSQL, "evidence", scanEvidence, func(v *Evidence) int64 { return v.ID })

// IssueEvidence reads the evidence of each issue, oldest first.
var IssueEvidence = children("load issue evidence", evidenceSQL, "evidence", "issue_id", "id", scanEvidence,
	func(v *Evidence) int64 { return deref64(v.IssueID) })

// RecordEvidence reads the evidence of each service record, oldest first.
var RecordEvidence = children("load service record evidence", evidenceSQL, "evidence", "service_record_id", "id", scanEvidence,
	func(v *Evidence) int64 { return deref64(v.ServiceRecordID) })

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Keys gives the keys of the stored bytes the evidence refers to: the file, and an image's
// thumbnail.
func (e *Evidence) Keys() []string {
	if e.ThumbSHA256 == nil {
		return []string{e.SHA256}
	}
	return []string{e.SHA256, *e.ThumbSHA256}
}

// EvidenceSubject is what evidence is attached to: an issue or a service record, and when.
type EvidenceSubject struct {
	IssueID         *int64
	ServiceRecordID *int64
	Stage           string // report, resolve (an issue) or service (a record)
	Caption         string
}

// evidenceHandlers are the roles that attach evidence to any issue or record of their place,
// as they handle issues there; others attach to their own report or service record only.
var evidenceHandlers = []string{"city_admin", "street_cadre", "community_cadre", "grid_worker"}

// evidencePlace is where attached evidence belongs: its subject's place.
type evidencePlace struct {
	street, community int64
	grid              *int64
	issue             *Issue // the issue, locked, when the subject is one
}

// AttachEvidence attaches the prepared file f to the subject, resolved inside the caller's
// scope (out of scope is NOT_FOUND) and locked, if the actor may attach at that stage: the
// bytes are put in files under the lock of their keys, the row written, and an issue's
// history told. Should the transaction not commit, bytes no row refers to are deleted.
func (s *Store) AttachEvidence(ctx context.Context, sc auth.Scope, actor auth.Actor, files evidence.Blobs, sub EvidenceSubject,
	f *evidence.File) (*Evidence, error) {
	var out *Evidence
	err := s.Write(ctx, func(ctx context.Context) error {
		tx, _ := txOf(ctx)
		at, err := evidenceSubject(ctx, tx, sc, actor, sub)
		if err != nil {
			return err
		}
		keys := []string{f.Key}
		if f.Thumb != nil {
			keys = append(keys, f.ThumbKey)
		}
		if err := lockKeys(ctx, tx, "pg_advisory_xact_lock_shared", keys); err != nil {
			return err
		}
		afterWrite(ctx, func(ctx context.Context, committed bool) {
			if !committed {
				_ = s.ReleaseEvidence(ctx, files, keys...) // what cannot be deleted now is referenced by no row
			}
		})
		if err := putFile(ctx, files, f); err != nil {
			return err
		}
		var thumb, width, height any
		if f.Thumb != nil {
			thumb, width, height = f.ThumbKey, f.Width, f.Height
		}
		out, err = scanEvidence(tx.QueryRow(ctx, `INSERT INTO evidence (issue_id, service_record_id, street_id, community_id,
			grid_id, stage, sha256, thumb_sha256, media_type, bytes, width, height, caption, uploaded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING `+evidenceColumns.list(""),
			sub.IssueID, sub.ServiceRecordID, at.street, at.community, at.grid, sub.Stage, f.Key, thumb, f.MediaType,
			len(f.Data), width, height, sub.Caption, actor.PersonID))
		if err != nil || at.issue == nil {
			return err
		}
		return appendIssueEvent(ctx, tx, at.issue, actor, "attach_evidence", at.issue.State, at.issue.State, evidenceNote(out))
	})
	return out, MapError("attach evidence", err)
}

// putFile writes a prepared file's bytes and thumbnail.
func putFile(ctx context.Context, files evidence.Blobs, f *evidence.File) error {
	if _, err := files.Put(ctx, f.Data); err != nil {
		return err
	}
	if f.Thumb == nil {
		return nil
	}
	_, err := files.Put(ctx, f.Thumb)
	return err
}

// evidenceNote is what an issue's history says of evidence: its caption, else what it is.
func evidenceNote(e *Evidence) string {
	what := "document"
	if e.Width != nil {
		what = "photo"
	}
	if e.Caption != "" {
		return e.Stage + " " + what + ": " + e.Caption
	}
	return e.Stage + " " + what
}

// evidenceSubject resolves and locks the subject of an attachment inside the caller's scope,
// and checks that the actor may attach to it at the stage asked for.
func evidenceSubject(ctx context.Context, tx pgx.Tx, sc auth.Scope, actor auth.Actor, sub EvidenceSubject) (*evidencePlace, error) {
	handler := slices.Contains(evidenceHandlers, actor.Role)
	if sub.ServiceRecordID != nil {
		if sub.Stage != "service" {
			return nil, apperr.Invalid("stage", "evidence of a service record is attached at stage SERVICE")
		}
		if !handler && actor.Role != "party_member" {
			return nil, apperr.New(apperr.Forbidden, "the member who served, or a grid worker or cadre, attaches evidence to a service record")
		}
		q := &query{}
		q.where("id = ?", *sub.ServiceRecordID)
		q.where("deleted_at IS NULL")
		q.scoped(sc, colsFor("service_records", ""))
		r, err := scanRecord(tx.QueryRow(ctx, `SELECT `+recordCols+` FROM service_records`+q.sql()+` FOR UPDATE`, q.args...))
		if isNoRows(err) {
			return nil, notFound("service record")
		}
		if err != nil {
			return nil, err
		}
		return &evidencePlace{street: r.StreetID, community: r.CommunityID, grid: r.GridID}, nil
	}
	if sub.Stage != "report" && sub.Stage != "resolve" {
		return nil, apperr.Invalid("stage", "evidence of an issue is attached at stage REPORT or RESOLVE")
	}
	i, err := issueForUpdate(ctx, tx, sc, deref64(sub.IssueID))
	if err != nil {
		return nil, err
	}
	switch {
	case sub.Stage == "report" && !handler && i.ReporterID != actor.PersonID:
		return nil, apperr.New(apperr.Forbidden, "report evidence is attached by the reporter, or a grid worker or cadre")
	case sub.Stage == "resolve" && !handler:
		return nil, apperr.New(apperr.Forbidden, "resolution evidence is attached by a grid worker or cadre")
	case sub.Stage == "report" && !workflow.IssueState(i.State).Open():
		return nil, apperr.New(apperr.InvalidTransition, "report evidence is attached while the issue is open; it is %s", i.State)
	case sub.Stage == "resolve" && (i.State == "reported" || i.State == "closed"):
		return nil, apperr.New(apperr.InvalidTransition, "resolution evidence is attached from acceptance until closing; the issue is %s", i.State)
	}
	grid := i.GridID
	return &evidencePlace{street: i.StreetID, community: i.CommunityID, grid: &grid, issue: i}, nil
}

// RemoveEvidence removes evidence its uploader attached, while its issue is open; its bytes
// are deleted once the removal commits, unless other evidence refers to them.
func (s *Store) RemoveEvidence(ctx context.Context, sc auth.Scope, actor auth.Actor, files evidence.Blobs, id int64) (*Evidence, error) {
	var out *Evidence
	err := s.Write(ctx, func(ctx context.Context) error {
		tx, _ := txOf(ctx)
		cur, err := current(ctx, tx, evidenceSQL, id, sc, colsFor("evidence", ""), scanEvidence,
			func(v *Evidence) int64 { return v.Version }, nil, "evidence")
		if err != nil {
			return err
		}
		if cur.UploaderID != actor.PersonID {
			return apperr.New(apperr.Forbidden, "only its uploader removes evidence")
		}
		var issue *Issue
		if cur.IssueID != nil {
			if issue, err = openIssueForUpdate(ctx, tx, sc, *cur.IssueID, "remove evidence of"); err != nil {
				return err
			}
		}
		out, err = scanEvidence(tx.QueryRow(ctx, `UPDATE evidence SET deleted_at = now(), removed_by = $1, version = version + 1,
			updated_at = now() WHERE id = $2 AND version = $3 AND deleted_at IS NULL RETURNING `+evidenceColumns.list(""),
			actor.PersonID, cur.ID, cur.Version))
		if isNoRows(err) {
			return errConflict("evidence")
		}
		if err != nil {
			return err
		}
		afterWrite(ctx, func(ctx context.Context, committed bool) {
			if committed {
				_ = s.ReleaseEvidence(ctx, files, out.Keys()...) // bytes left behind are referenced by no row
			}
		})
		if issue == nil {
			return nil
		}
		return appendIssueEvent(ctx, tx, issue, actor, "remove_evidence", issue.State, issue.State, evidenceNote(out))
	})
	return out, MapError("remove evidence", err)
}

// ReleaseEvidence deletes from files the bytes of each key that no live evidence refers to.
// Each key is decided in a transaction of its own holding the key's lock exclusively: a write
// of the same bytes holds it shared from before it puts them until its transaction ends, so
// it either committed its reference first (and the bytes stay) or puts them again after.
func (s *Store) ReleaseEvidence(ctx context.Context, files evidence.Blobs, keys ...string) error {
	for _, key := range keys {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if err := lockKeys(ctx, tx, "pg_advisory_xact_lock", []string{key}); err != nil {
				return err
			}
			var used bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM evidence WHERE sha256 = $1 AND deleted_at IS NULL)
				OR EXISTS (SELECT 1 FROM evidence WHERE thumb_sha256 = $1 AND deleted_at IS NULL)`, key).Scan(&used); err != nil {
				return err
			}
			if used {
				return nil
			}
			return files.Delete(ctx, key)
		})
		if err != nil {
			return MapError("release evidence", err)
		}
	}
	return nil
}

// evidenceLocks is the space of the advisory locks on evidence keys ("EV"), apart from the
// single-key locks others take.
const evidenceLocks = 0x4556

// lockKeys takes, with fn (pg_advisory_xact_lock or its _shared form), the transaction's lock
// on each key: the key's first 32 bits within evidenceLocks. Two keys sharing them only ever
// wait for each other.
func lockKeys(ctx context.Context, tx pgx.Tx, fn string, keys []string) error {
	for _, key := range keys {
		if !evidence.ValidKey(key) {
			return apperr.New(apperr.Internal, "not an evidence key")
		}
		b, err := hex.DecodeString(key[:8])
		if err != nil {
			return apperr.New(apperr.Internal, "not an evidence key")
		}
		if _, err := tx.Exec(ctx, `SELECT `+fn+`($1, $2)`, int32(evidenceLocks), int32(binary.BigEndian.Uint32(b))); err != nil {
			return err
		}
	}
	return nil
}
