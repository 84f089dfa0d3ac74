package main

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	_ "image/png" // the demo's PNG photos
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
	"gridgov/config"
	"gridgov/evidence"
	"gridgov/gid"
)

// TestSeededEvidenceIsServed seeds the demo city and serves it as `make demo` does, both
// with the same GRIDGOV_EVIDENCE_DIR: a photo of the result attached to an issue of the
// first grid downloads at /evidence/{id} to a grid worker of that grid, the bytes the row
// names, an image of the row's size, with its JPEG thumbnail at /evidence/{id}/thumbnail;
// a photo of another street's issue is NOT_FOUND to them.
func TestSeededEvidenceIsServed(t *testing.T) {
	url, addr, stop := seededServer(t)
	defer stop()

	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var id, elsewhere int64
	var key, thumb, mediaType string
	var width, height int
	if err := conn.QueryRow(context.Background(), `SELECT e.id, e.sha256, e.thumb_sha256, e.media_type, e.width, e.height,
		(SELECT min(o.id) FROM evidence o WHERE o.street_id <> e.street_id AND o.issue_id IS NOT NULL)
		FROM evidence e WHERE e.grid_id = 1 AND e.stage = 'resolve' ORDER BY e.id LIMIT 1`).
		Scan(&id, &key, &thumb, &mediaType, &width, &height, &elsewhere); err != nil {
		t.Fatalf("a seeded photo of grid 1: %v", err)
	}
	keys, err := auth.LoadKeys("HS256", config.DevSecret, "", "", "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	token, err := keys.Issue("grid_worker", gid.Encode("Grid", 1), "1", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Header.Get("Content-Type"), body
	}
	path := "/evidence/" + gid.Encode("Evidence", id)
	status, typ, body := get(path)
	if status != http.StatusOK || typ != mediaType || evidence.Key(body) != key {
		t.Fatalf("GET %s: %d %s, %d bytes of key %s; want 200 %s of key %s", path, status, typ, len(body), evidence.Key(body), mediaType, key)
	}
	if img, _, err := image.Decode(bytes.NewReader(body)); err != nil || img.Bounds().Dx() != width || img.Bounds().Dy() != height {
		t.Fatalf("GET %s: not a %d × %d image (%v)", path, width, height, err)
	}
	status, typ, body = get(path + "/thumbnail")
	if _, err := jpeg.Decode(bytes.NewReader(body)); status != http.StatusOK || typ != evidence.JPEG || evidence.Key(body) != thumb || err != nil {
		t.Fatalf("GET %s/thumbnail: %d %s, key %s (%v); want 200, the JPEG of key %s", path, status, typ, evidence.Key(body), err, thumb)
	}
	if status, _, _ := get("/evidence/" + gid.Encode("Evidence", elsewhere)); status != http.StatusNotFound {
		t.Errorf("a photo of another street's issue: %d, want 404", status)
	}
}
