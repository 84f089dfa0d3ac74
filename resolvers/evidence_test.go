package resolvers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/evidence"
	"gridgov/evidence/evidencetest"
	"gridgov/server"
	"gridgov/store"
)

// evidenceEnv is the whole server (GraphQL and evidence downloads) keeping evidence in a
// directory of the test's, and the GraphQL endpoint on gqlgen's executor alone (the
// reference), over the same database and directory.
type evidenceEnv struct {
	*env
	dir *evidence.Dir
	ref http.Handler
}

func newEvidenceEnv(t *testing.T, limits *server.Limits) *evidenceEnv {
	t.Helper()
	e := newEnv(t)
	dir, err := evidence.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l := server.DefaultLimits()
	l.RateLimit = 0
	if limits != nil {
		l = *limits
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.h = server.New(server.Deps{Pool: e.pool, Log: log, Registry: prometheus.NewRegistry(), Keys: e.keys, Limits: l,
		Evidence: dir, MetricsOnAPI: true})
	ref := server.GraphQL(server.Options{Store: store.New(e.pool), Log: log, Metrics: e.m, Keys: e.keys, Limits: l,
		Evidence: dir, GqlgenOnly: true})
	return &evidenceEnv{env: e, dir: dir, ref: ref}
}

// file is one part of a multipart request: its name and declared type, and its bytes.
type file struct {
	name, contentType string
	data              []byte
}

// multipart POSTs query to h as a GraphQL multipart request: each file in its own part, put
// at its path ("variables.in.file") by the map.
func (e *env) multipart(h http.Handler, token, query string, vars map[string]any, files map[string]file) gqlResp {
	e.t.Helper()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	m := map[string][]string{}
	for i, p := range paths {
		m[strconv.Itoa(i)] = []string{p}
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	paths2, _ := json.Marshal(m)
	_ = mw.WriteField("operations", string(ops))
	_ = mw.WriteField("map", string(paths2))
	for i, p := range paths {
		f := files[p]
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%d"; filename=%q`, i, f.name))
		hdr.Set("Content-Type", f.contentType)
		w, _ := mw.CreatePart(hdr)
		_, _ = w.Write(f.data)
	}
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/graphql", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.serveWith(h, req)
}

// serveWith serves req with h and decodes the GraphQL answer.
func (e *env) serveWith(h http.Handler, req *http.Request) gqlResp {
	e.t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var out gqlResp
	out.Status = w.Code
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		e.t.Fatalf("response is not JSON (%d): %s", w.Code, w.Body.String())
	}
	return out
}

// get GETs path with a bearer token ("": none), and extra headers.
func (e *evidenceEnv) get(token, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

// stored counts the files the evidence directory keeps.
func (e *evidenceEnv) stored() int {
	e.t.Helper()
	n := 0
	err := filepath.WalkDir(e.dir.Root(), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *evidenceEnv) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// reportedIssue adds an issue a resident reported in grid, in the world's street.
func (e *env) reportedIssue(w world, community, grid, reporter int64) int64 {
	return e.id(`INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role)
		VALUES ($1, $2, $3, $4, '井盖缺失', $5, 'resident') RETURNING id`, w.street, community, grid, w.issueCat, reporter)
}

// attach attaches files with vars as token and gives the evidence; an error fails the test.
func (e *evidenceEnv) attach(token string, vars map[string]any, files map[string]file) map[string]any {
	e.t.Helper()
	r := e.multipart(e.h, token, attachEvidence, vars, files)
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		e.t.Fatalf("attach: %d %+v", r.Status, r.Errors)
	}
	return dig(r.Data, "attachEvidence").(map[string]any)
}

// cadreIssue adds an issue a resident reported in the world's grid, and gives it with a token
// of the community's cadre.
func (e *evidenceEnv) cadreIssue(w world) (issue int64, cadre string) {
	return e.reportedIssue(w, w.community, w.grid, w.resident), e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
}

const attachEvidence = `mutation($in: AttachEvidenceInput!) { attachEvidence(input: $in) {
	id stage mediaType bytes width height sha256 caption url thumbnailUrl uploadedBy { id } } }`

func issueInput(issue int64, stage, caption string) map[string]any {
	return map[string]any{"in": map[string]any{"issueId": gid("Issue", issue), "stage": stage, "file": nil, "caption": caption}}
}

func photoFile(data []byte) map[string]file {
	return map[string]file{"variables.in.file": {"photo.jpg", "image/jpeg", data}}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestEvidenceUploadAndDownload: a cadre attaches a phone's photo to an issue with a real
// multipart request, through the API's executor and through gqlgen's: the photo is stored
// without its metadata, once for both, listed on the issue and in its history, and served with
// its media type, nosniff, its SHA-256 as ETag and a thumbnail, to a token only.
func TestEvidenceUploadAndDownload(t *testing.T) {
	e := newEvidenceEnv(t, nil)
	w := e.world()
	issue, cadre := e.cadreIssue(w)
	photo := evidencetest.JPEG(640, 480, 1)

	ev := e.attach(cadre, issueInput(issue, "REPORT", "路面破损"), photoFile(photo))
	if ev["mediaType"] != "image/jpeg" || ev["width"] != 640.0 || ev["height"] != 480.0 || ev["stage"] != "REPORT" ||
		ev["caption"] != "路面破损" || dig(ev, "uploadedBy", "id") != gid("Person", w.cadrePerson) {
		t.Fatalf("attached: %v", ev)
	}
	key := ev["sha256"].(string)
	kept := evidencetest.Read(t, e.dir, key)
	if sha(kept) != key || int(ev["bytes"].(float64)) != len(kept) || bytes.Contains(kept, []byte("Exif")) ||
		bytes.Contains(kept, []byte(evidencetest.Camera)) {
		t.Fatalf("stored bytes: sha %s, %d bytes, metadata kept: %v", sha(kept), len(kept), bytes.Contains(kept, []byte("Exif")))
	}
	if e.stored() != 2 {
		t.Fatalf("%d files stored, want the photo and its thumbnail", e.stored())
	}

	// The reference executor takes the same upload; the same bytes are stored once.
	again := e.multipart(e.ref, cadre, attachEvidence, issueInput(issue, "REPORT", "另一角度"), photoFile(photo))
	if len(again.Errors) > 0 || dig(again.Data, "attachEvidence", "sha256") != key {
		t.Fatalf("through gqlgen's executor: %+v %v", again.Errors, again.Data)
	}
	if e.stored() != 2 || e.count(`SELECT count(*) FROM evidence WHERE sha256 = $1`, key) != 2 {
		t.Fatalf("the same bytes attached twice: %d files, want 2 (stored once)", e.stored())
	}

	listed := e.ok(admin, `query($id: ID!) { node(id: $id) { ... on Issue { evidence { id caption thumbnailUrl } events(last: 5) { action note } } } }`,
		map[string]any{"id": gid("Issue", issue)})
	if n := len(dig(listed, "node", "evidence").([]any)); n != 2 {
		t.Fatalf("issue lists %d evidence", n)
	}
	var actions []string
	for _, ev := range dig(listed, "node", "events").([]any) {
		actions = append(actions, ev.(map[string]any)["action"].(string))
	}
	if slices.Index(actions, "ATTACH_EVIDENCE") < 0 {
		t.Errorf("history: %v", actions)
	}
	if e.count(`SELECT count(*) FROM audit_log WHERE mutation = 'attachEvidence' AND target_table = 'evidence'`) != 2 {
		t.Error("attachments are not audited")
	}

	url := ev["url"].(string)
	got := e.get(cadre, url)
	h := got.Header()
	if got.Code != http.StatusOK || h.Get("Content-Type") != "image/jpeg" || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("ETag") != `"`+key+`"` || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") ||
		!strings.Contains(h.Get("Cache-Control"), "private") || sha(got.Body.Bytes()) != key {
		t.Fatalf("download: %d %v", got.Code, h)
	}
	if again := e.get(cadre, url, "If-None-Match", `"`+key+`"`); again.Code != http.StatusNotModified {
		t.Errorf("conditional download: %d", again.Code)
	}
	thumb := e.get(cadre, ev["thumbnailUrl"].(string))
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(thumb.Body.Bytes()))
	if thumb.Code != http.StatusOK || thumb.Header().Get("Content-Type") != "image/jpeg" || err != nil ||
		cfg.Width != evidence.ThumbEdge || cfg.Height != 240 {
		t.Fatalf("thumbnail: %d %v %+v", thumb.Code, err, cfg)
	}
	if anon := e.get("", url); anon.Code != http.StatusUnauthorized {
		t.Errorf("download without a token: %d", anon.Code)
	}
	stat := e.token("statistician", "city", 0)
	if forbidden := e.get(stat, url); forbidden.Code != http.StatusForbidden {
		t.Errorf("download by a statistician: %d", forbidden.Code)
	}
	metrics := e.get("", "/metrics").Body.String()
	for _, want := range []string{`gridgov_evidence_downloads_total{kind="file",outcome="served"} 2`,
		`gridgov_evidence_downloads_total{kind="thumbnail",outcome="served"} 1`, `gridgov_evidence_upload_files_total 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestEvidenceScope: a subject out of the caller's scope is NOT_FOUND exactly as an absent
// one, and nothing is stored; evidence out of scope is 404 exactly as absent evidence; who
// may attach at which stage follows the issue's and the ledger's roles.
func TestEvidenceScope(t *testing.T) {
	e := newEvidenceEnv(t, nil)
	w := e.world()
	commB, gridB, _ := e.placeB(w)
	issueA := e.reportedIssue(w, w.community, w.grid, w.resident)
	issueB := e.reportedIssue(w, commB, gridB, w.resident)
	cadreA := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	photo := evidencetest.JPEG(40, 30, 1)

	absent := e.multipart(e.h, cadreA, attachEvidence, issueInput(1<<40, "REPORT", ""), photoFile(photo))
	outside := e.multipart(e.h, cadreA, attachEvidence, issueInput(issueB, "REPORT", ""), photoFile(photo))
	if absent.code() != "NOT_FOUND" || outside.code() != "NOT_FOUND" || outside.Errors[0].Message != absent.Errors[0].Message ||
		outside.Errors[0].Extensions["field"] != "issueId" || outside.Data["attachEvidence"] != nil {
		t.Fatalf("an issue of another community: %+v; an absent one: %+v", outside.Errors, absent.Errors)
	}
	if e.stored() != 0 || e.count(`SELECT count(*) FROM evidence`) != 0 {
		t.Fatalf("a refused attachment stored %d files", e.stored())
	}

	// Evidence of community B, attached by the city: community A's cadre cannot read it.
	city := e.token("city_admin", "city", w.cadrePerson)
	evB := e.attach(city, issueInput(issueB, "REPORT", "B"), photoFile(photo))
	gone := e.get(cadreA, "/evidence/"+gid("Evidence", 1<<40))
	for _, path := range []string{evB["url"].(string), evB["thumbnailUrl"].(string)} {
		got := e.get(cadreA, path)
		if got.Code != http.StatusNotFound || !sameError(got.Body.Bytes(), gone.Body.Bytes()) {
			t.Errorf("%s out of scope: %d %s; absent: %s", path, got.Code, got.Body, gone.Body)
		}
	}
	if node := e.as(cadreA, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": evB["id"]}); node.code() != "NOT_FOUND" {
		t.Errorf("node(id:) of evidence out of scope: %+v", node.Errors)
	}

	// The resident who reported issue A attaches to its report, not to its resolution.
	resident := e.token("resident", gid("Grid", w.grid), w.resident)
	if r := e.multipart(e.h, resident, attachEvidence, issueInput(issueA, "REPORT", "我拍的"), photoFile(photo)); len(r.Errors) > 0 {
		t.Fatalf("the reporter's own evidence: %+v", r.Errors)
	}
	e.pool.Exec(context.Background(), `UPDATE issues SET state = 'accepted' WHERE id = $1`, issueA) //nolint:errcheck
	if r := e.multipart(e.h, resident, attachEvidence, issueInput(issueA, "RESOLVE", ""), photoFile(photo)); r.code() != "FORBIDDEN" {
		t.Errorf("a resident's resolution evidence: %+v", r.Errors)
	}
	if r := e.multipart(e.h, cadreA, attachEvidence, issueInput(issueA, "RESOLVE", "修好了"), photoFile(photo)); len(r.Errors) > 0 {
		t.Errorf("a cadre's resolution evidence: %+v", r.Errors)
	}

	// A member attaches to their own service record only, at stage SERVICE.
	memberPerson, member := e.member("张党员", w, true)
	_, other := e.member("赵党员", w, true)
	record := func(m int64) int64 {
		return e.id(`INSERT INTO service_records (member_id, street_id, community_id, grid_id, served_on, hours, content)
			VALUES ($1, $2, $3, $4, '2024-05-01', 2, '助老') RETURNING id`, m, w.street, w.community, w.grid)
	}
	own, others := record(member), record(other)
	memberToken := e.token("party_member", gid("Grid", w.grid), memberPerson)
	recordInput := func(id int64, stage string) map[string]any {
		return map[string]any{"in": map[string]any{"serviceRecordId": gid("ServiceRecord", id), "stage": stage, "file": nil}}
	}
	doc := map[string]file{"variables.in.file": {"record.pdf", "application/pdf", evidencetest.PDF()}}
	if r := e.multipart(e.h, memberToken, attachEvidence, recordInput(own, "SERVICE"), doc); len(r.Errors) > 0 ||
		dig(r.Data, "attachEvidence", "mediaType") != "application/pdf" || dig(r.Data, "attachEvidence", "thumbnailUrl") != nil {
		t.Fatalf("a member's own record: %+v %v", r.Errors, r.Data)
	}
	if r := e.multipart(e.h, memberToken, attachEvidence, recordInput(others, "SERVICE"), doc); r.code() != "NOT_FOUND" {
		t.Errorf("another member's record: %+v", r.Errors)
	}
	if r := e.multipart(e.h, memberToken, attachEvidence, recordInput(own, "REPORT"), doc); r.code() != "BAD_USER_INPUT" {
		t.Errorf("a record at stage REPORT: %+v", r.Errors)
	}
	listed := e.as(memberToken, `query($id: ID!) { node(id: $id) { ... on ServiceRecord { evidence { mediaType url } } } }`,
		map[string]any{"id": gid("ServiceRecord", own)})
	list, _ := dig(listed.Data, "node", "evidence").([]any)
	if len(listed.Errors) > 0 || len(list) != 1 {
		t.Fatalf("the record's evidence: %+v %v", listed.Errors, listed.Data)
	}
	pdf := e.get(memberToken, list[0].(map[string]any)["url"].(string))
	if pdf.Code != http.StatusOK || pdf.Header().Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(pdf.Header().Get("Content-Disposition"), "attachment") || !bytes.Equal(pdf.Body.Bytes(), evidencetest.PDF()) {
		t.Errorf("the document: %d %v", pdf.Code, pdf.Header())
	}
}

// sameError reports whether two JSON error bodies say the same, request ids aside.
func sameError(a, b []byte) bool {
	var x, y gqlResp
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil || len(x.Errors) != 1 || len(y.Errors) != 1 {
		return false
	}
	return x.Errors[0].Message == y.Errors[0].Message && x.code() == y.code()
}

// TestEvidenceRefusals: the type is read from the bytes (a page named photo.jpg is refused),
// and a request beyond the file, count or body limits, a batch, or a file given otherwise than
// as a part is refused with its code before anything is written.
func TestEvidenceRefusals(t *testing.T) {
	l := server.DefaultLimits()
	l.RateLimit, l.MaxFileBytes, l.MaxFiles = 0, 8<<10, 2
	e := newEvidenceEnv(t, &l)
	w := e.world()
	issue, cadre := e.cadreIssue(w)
	vars := issueInput(issue, "REPORT", "")

	disguised := map[string]file{"variables.in.file": {"photo.jpg", "image/jpeg", []byte("<html><body><script>alert(1)</script></body></html>")}}
	if r := e.multipart(e.h, cadre, attachEvidence, vars, disguised); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "file" ||
		!strings.Contains(r.Errors[0].Message, "text/html") {
		t.Errorf("a page named photo.jpg: %+v", r.Errors)
	}
	big := append(evidencetest.JPEG(40, 40, 1), evidencetest.Random(t, 8<<10)...)
	if r := e.multipart(e.h, cadre, attachEvidence, vars, photoFile(big)); r.Status != http.StatusRequestEntityTooLarge || r.code() != "BODY_LIMIT" {
		t.Errorf("a file beyond the limit: %d %+v", r.Status, r.Errors)
	}
	three := map[string]file{}
	for _, p := range []string{"variables.in.file", "variables.a", "variables.b"} {
		three[p] = file{"x.jpg", "image/jpeg", evidencetest.JPEG(8, 8, 1)}
	}
	if r := e.multipart(e.h, cadre, attachEvidence, vars, three); r.Status != http.StatusRequestEntityTooLarge || r.code() != "BODY_LIMIT" ||
		!strings.Contains(r.Errors[0].Message, "at most 2 files") {
		t.Errorf("three files: %d %+v", r.Status, r.Errors)
	}
	nowhere := map[string]file{"variables.in.file.deeper.still": {"x.jpg", "image/jpeg", evidencetest.JPEG(8, 8, 1)}}
	if r := e.multipart(e.h, cadre, attachEvidence, vars, nowhere); r.Status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" {
		t.Errorf("a map path through no variable: %d %+v", r.Status, r.Errors)
	}
	if r := e.as(cadre, attachEvidence, map[string]any{"in": map[string]any{"issueId": gid("Issue", issue), "stage": "REPORT", "file": "aGVsbG8="}}); r.code() != "BAD_USER_INPUT" {
		t.Errorf("a file given as a JSON string: %+v", r.Errors)
	}
	// A batch in the operations part.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("operations", `[{"query":"{ __typename }"}]`)
	_ = mw.WriteField("map", `{}`)
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/graphql", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+cadre)
	if r := e.serveWith(e.h, req); r.Status != http.StatusBadRequest || r.code() != "BATCH_LIMIT" {
		t.Errorf("a batch: %d %+v", r.Status, r.Errors)
	}
	if e.stored() != 0 || e.count(`SELECT count(*) FROM evidence`) != 0 {
		t.Errorf("refused requests stored %d files", e.stored())
	}
}

// TestEvidenceFilesFollowTheirRows: a write that fails after its bytes were stored leaves no
// row and no file, but never deletes bytes a live row refers to; removal by the uploader
// deletes bytes nothing else refers to, and only the uploader removes.
func TestEvidenceFilesFollowTheirRows(t *testing.T) {
	e := newEvidenceEnv(t, nil)
	w := e.world()
	issue, cadre := e.cadreIssue(w)
	photo := evidencetest.JPEG(50, 50, 1)
	first := e.attach(cadre, issueInput(issue, "REPORT", ""), photoFile(photo))
	key := first["sha256"].(string)

	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `CREATE FUNCTION evidence_fails() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'no space left on device (test)'; END $$;
		CREATE TRIGGER evidence_fails BEFORE INSERT ON evidence FOR EACH ROW EXECUTE FUNCTION evidence_fails()`); err != nil {
		t.Fatal(err)
	}
	other := e.multipart(e.h, cadre, attachEvidence, issueInput(issue, "REPORT", ""), photoFile(evidencetest.JPEG(60, 60, 1)))
	if other.code() != "INTERNAL" || other.Errors[0].Message != "internal error" {
		t.Fatalf("a failed write: %+v", other.Errors)
	}
	same := e.multipart(e.h, cadre, attachEvidence, issueInput(issue, "REPORT", ""), photoFile(photo))
	if same.code() != "INTERNAL" {
		t.Fatalf("a failed write of stored bytes: %+v", same.Errors)
	}
	if e.stored() != 2 || e.count(`SELECT count(*) FROM evidence`) != 1 {
		t.Fatalf("after failed writes: %d files, want the 2 of the live row", e.stored())
	}
	if got := evidencetest.Read(t, e.dir, key); sha(got) != key {
		t.Fatal("the live row's bytes changed")
	}
	if _, err := e.pool.Exec(ctx, `DROP TRIGGER evidence_fails ON evidence`); err != nil {
		t.Fatal(err)
	}

	remove := `mutation($id: ID!) { removeEvidence(input: {evidenceId: $id}) { id } }`
	id := map[string]any{"id": first["id"]}
	other2 := e.token("community_cadre", gid("Community", w.community), w.resident)
	if r := e.as(other2, remove, id); r.code() != "FORBIDDEN" {
		t.Errorf("removal by someone else: %+v", r.Errors)
	}
	if r := e.as(cadre, remove, id); len(r.Errors) > 0 {
		t.Fatalf("removal by the uploader: %+v", r.Errors)
	}
	if e.stored() != 0 {
		t.Errorf("%d files left after the only row referring to them was removed", e.stored())
	}
	if got := e.get(cadre, "/evidence/"+id["id"].(string)); got.Code != http.StatusNotFound {
		t.Errorf("removed evidence served: %d", got.Code)
	}
	var action string
	if err := e.pool.QueryRow(ctx, `SELECT action FROM issue_events WHERE issue_id = $1 ORDER BY id DESC LIMIT 1`, issue).Scan(&action); err != nil ||
		action != "remove_evidence" {
		t.Errorf("history after removal: %q %v", action, err)
	}
	if r := e.as(cadre, remove, id); r.code() != "NOT_FOUND" {
		t.Errorf("removing it again: %+v", r.Errors)
	}
}
