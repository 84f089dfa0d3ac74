package seed_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	_ "image/png" // the demo's PNG photos
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/evidence"
	"gridgov/evidence/evidencetest"
	"gridgov/seed"
)

// checkEvidence: every photo attached to an issue is an "attach_evidence" event of its history
// (same person, time, place and note) and every such event a photo; photos are attached in
// their subject's place by whoever could have attached them (the reporter at the report, a
// community cadre of the community before a resolution, the member who served on a
// service record), within the subject's life; no issue of a category that requires a photo
// of the result was resolved without one attached before; and the shares are a city's: a
// third of the reports with a photo, most resolutions, some service records.
func checkEvidence(t *testing.T, pool *pgxpool.Pool) {
	ctx := context.Background()
	count := func(what, sql string, args ...any) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return n
	}
	if n := count("photos and events apart", `SELECT count(*) FROM (SELECT * FROM evidence WHERE issue_id IS NOT NULL) e
		FULL JOIN (SELECT * FROM issue_events WHERE action = 'attach_evidence') v ON v.issue_id = e.issue_id AND v.at = e.uploaded_at
			AND v.actor_id = e.uploaded_by AND v.note = e.stage || ' photo: ' || e.caption AND v.street_id = e.street_id
			AND v.community_id = e.community_id AND v.grid_id = e.grid_id
		WHERE e.id IS NULL OR v.id IS NULL`); n != 0 {
		t.Errorf("%d photos of issues and attach_evidence events have no counterpart", n)
	}
	if n := count("misplaced issue photos", `SELECT count(*) FROM evidence e JOIN issues i ON i.id = e.issue_id
		WHERE (e.street_id, e.community_id, e.grid_id) IS DISTINCT FROM (i.street_id, i.community_id, i.grid_id)
		OR e.uploaded_at < i.reported_at OR e.uploaded_at >= $1 OR e.deleted_at IS NOT NULL OR e.thumb_sha256 IS NULL
		OR (e.stage = 'report' AND e.uploaded_by <> i.reporter_id)
		OR (e.stage = 'resolve' AND (NOT EXISTS (SELECT 1 FROM cadres c WHERE c.person_id = e.uploaded_by
				AND c.kind = 'community_cadre' AND c.community_id = i.community_id)
			OR (i.state IN ('resolved', 'closed') AND e.uploaded_at > i.resolved_at)))`, asOf); n != 0 {
		t.Errorf("%d photos of issues out of their issue's place, life or people", n)
	}
	if n := count("misplaced service photos", `SELECT count(*) FROM evidence e JOIN service_records r ON r.id = e.service_record_id
		JOIN party_members m ON m.id = r.member_id
		WHERE (e.street_id, e.community_id, e.grid_id) IS DISTINCT FROM (r.street_id, r.community_id, r.grid_id)
		OR e.uploaded_by <> m.person_id OR e.uploaded_at < r.served_on OR e.uploaded_at >= $1 OR e.stage <> 'service'`, asOf); n != 0 {
		t.Errorf("%d photos of service records out of their record's place, day or member", n)
	}
	required := count("required categories", `SELECT count(*) FROM issue_categories WHERE requires_resolve_photo`)
	resolutions := count("required resolutions", `SELECT count(*) FROM issue_events v JOIN issues i ON i.id = v.issue_id
		JOIN issue_categories c ON c.id = i.category_id WHERE c.requires_resolve_photo AND v.action = 'resolve'`)
	if n := count("resolved without a required photo", `SELECT count(*) FROM issue_events v JOIN issues i ON i.id = v.issue_id
		JOIN issue_categories c ON c.id = i.category_id WHERE c.requires_resolve_photo AND v.action = 'resolve'
		AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.issue_id = v.issue_id AND e.stage = 'resolve'
			AND e.media_type LIKE 'image/%' AND e.deleted_at IS NULL AND e.uploaded_at < v.at)`); n != 0 || required < 3 || resolutions < 500 {
		t.Errorf("%d of %d resolutions in the %d categories requiring a photo of the result came before one", n, resolutions, required)
	}
	var reported, resolved, records float64
	if err := pool.QueryRow(ctx, `SELECT
		(SELECT count(DISTINCT issue_id) FILTER (WHERE stage = 'report') FROM evidence)::float8 / (SELECT count(*) FROM issues),
		(SELECT count(*) FROM issues i WHERE resolved_at IS NOT NULL AND EXISTS (SELECT 1 FROM evidence e WHERE e.issue_id = i.id
			AND e.stage = 'resolve'))::float8 / (SELECT count(*) FROM issues WHERE resolved_at IS NOT NULL),
		(SELECT count(*) FROM evidence WHERE stage = 'service')::float8 / (SELECT count(*) FROM service_records WHERE order_id IS NULL)`).
		Scan(&reported, &resolved, &records); err != nil {
		t.Fatal(err)
	}
	logCounts(t, pool, "evidence by stage and media type", `SELECT stage, media_type, count(*), count(DISTINCT sha256),
		sum(bytes)::bigint FROM evidence GROUP BY 1, 2 ORDER BY 1, 2`)
	t.Logf("reports with a photo %.3f, resolved issues with a photo of the result %.3f, own service records with a photo %.3f",
		reported, resolved, records)
	if reported < 0.3 || reported > 0.4 || resolved < 0.8 || resolved > 0.98 || records < 0.2 || records > 0.4 {
		t.Errorf("shares of reports %.3f (want 0.3 to 0.4), resolved issues %.3f (0.8 to 0.98), service records %.3f (0.2 to 0.4) with photos",
			reported, resolved, records)
	}
}

// checkEvidenceFiles: the bytes of every photo and thumbnail the rows name are in the store
// under their SHA-256, the size and media type the row says, and decode to an image of the
// row's size (a thumbnail: a JPEG); a few dozen distinct photos are shown. A seed run again
// over the finished seed puts back a photo the store lost.
func checkEvidenceFiles(t *testing.T, pool *pgxpool.Pool, files *evidence.Dir) {
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT DISTINCT sha256, thumb_sha256, media_type, bytes, width, height FROM evidence`)
	if err != nil {
		t.Fatal(err)
	}
	type photo struct {
		key, thumb, mediaType string
		size                  int64
		width, height         int
	}
	var photos []photo
	for rows.Next() {
		var p photo
		if err := rows.Scan(&p.key, &p.thumb, &p.mediaType, &p.size, &p.width, &p.height); err != nil {
			t.Fatal(err)
		}
		photos = append(photos, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(photos) < 20 {
		t.Fatalf("%d distinct photos, want a few dozen", len(photos))
	}
	for _, p := range photos {
		data := stored(t, files, p.key)
		img, format, err := image.Decode(bytes.NewReader(data))
		if err != nil || int64(len(data)) != p.size || "image/"+format != p.mediaType ||
			img.Bounds().Dx() != p.width || img.Bounds().Dy() != p.height {
			t.Fatalf("photo %s: %d bytes, %s (%v), want %d bytes, %s %d × %d", p.key, len(data), format, err, p.size, p.mediaType, p.width, p.height)
		}
		if _, err := jpeg.Decode(bytes.NewReader(stored(t, files, p.thumb))); err != nil {
			t.Fatalf("thumbnail %s: %v", p.thumb, err)
		}
	}
	if err := files.Delete(ctx, photos[0].key); err != nil {
		t.Fatal(err)
	}
	s, err := seed.Run(ctx, pool, seed.Options{Profile: "chaohu", Seed: 1, Scale: 1, AsOf: asOf, Evidence: files})
	if err != nil || !s.Skipped {
		t.Fatalf("seeding again: skipped %v, %v", s.Skipped, err)
	}
	stored(t, files, photos[0].key)
}

// stored reads the bytes under key and checks that key is their SHA-256.
func stored(t *testing.T, files evidence.Blobs, key string) []byte {
	t.Helper()
	data := evidencetest.Read(t, files, key)
	if evidence.Key(data) != key {
		t.Fatalf("the bytes stored under %s have the key %s", key, evidence.Key(data))
	}
	return data
}
