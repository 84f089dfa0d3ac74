package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/dbtest"
	"gridgov/store"
	"gridgov/webhook"
)

var loopback = webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

// receiver is a webhook receiver on loopback that verifies every delivery's signature and
// counts the events it accepted, by event id.
type receiver struct {
	t      *testing.T
	secret string
	srv    *httptest.Server
	// answer, when set, decides a delivery's status (it may block).
	answer func(r *http.Request, n int) int

	mu       sync.Mutex
	got      map[string]int
	last     []byte
	requests int
	bad      int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{t: t, got: map[string]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.last = body
	rc.requests++
	n := rc.requests
	ok := verify(rc.secret, r.Header.Get("X-Gridgov-Timestamp"), r.Header.Get("X-Gridgov-Signature"), body)
	var ev struct{ ID string }
	if json.Unmarshal(body, &ev) != nil || ev.ID != r.Header.Get(webhook.HeaderEventID) {
		ok = false
	}
	if !ok {
		rc.bad++
	} else {
		rc.got[ev.ID]++
	}
	answer := rc.answer
	rc.mu.Unlock()
	status := http.StatusNoContent
	if answer != nil {
		status = answer(r, n)
	}
	if !ok {
		status = http.StatusUnauthorized
	}
	w.WriteHeader(status)
}

// verify is a receiver's check, written from docs/realtime.md alone: one of the signature
// header's v1 values is the hex HMAC-SHA256 of "<timestamp>.<body>" under the secret, and the
// timestamp is within five minutes.
func verify(secret, timestamp, header string, body []byte) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "." + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	for _, v := range strings.Split(header, ",") {
		if hmac.Equal([]byte(strings.TrimPrefix(v, "v1=")), []byte(want)) {
			return true
		}
	}
	return false
}

// counts gives the events received (verified), how many deliveries arrived in all, and how
// many failed verification.
func (rc *receiver) counts() (events map[string]int, requests, bad int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	m := make(map[string]int, len(rc.got))
	for k, v := range rc.got {
		m[k] = v
	}
	return m, rc.requests, rc.bad
}

// setup gives a database with an endpoint at the receiver's URL for issue events, and n
// outbox events of issues, which the trigger queued for it.
func setup(t *testing.T, rc *receiver, n int) (*pgxpool.Pool, *store.WebhookEndpoint) {
	pool := dbtest.New(t)
	ctx := context.Background()
	rc.secret = webhook.NewSecret()
	ep, err := store.New(pool).RegisterWebhook(ctx, 0, rc.srv.URL+"/hook", []string{"issue"}, store.WebhookScope{}, rc.secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO outbox (kind, entity_id, history_id, action, to_state, street_id, community_id, grid_id)
		SELECT k, i, i, 'report', 'reported', 1, 2, 3 FROM generate_series(1, $1) i, unnest(ARRAY['issue', 'checkin']) k`, n); err != nil {
		t.Fatal(err)
	}
	return pool, ep
}

func worker(pool *pgxpool.Pool, guard webhook.Guard) *webhook.Worker {
	w := webhook.NewWorker(pool, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry(), guard)
	w.Poll, w.Lease, w.Backoff = 20*time.Millisecond, time.Second, 20*time.Millisecond
	return w
}

func run(w *webhook.Worker) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }() //nolint:errcheck
	return func() { cancel(); <-done }
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestKilledWorkerLosesNothing: a worker stopped while its delivery is in flight leaves it
// claimed; a worker started after it delivers every event — only issue events, each signed —
// with at most the one in flight delivered twice, and the log shows every attempt.
func TestKilledWorkerLosesNothing(t *testing.T) {
	rc := newReceiver(t)
	pool, ep := setup(t, rc, 5)
	inFlight := make(chan struct{})
	var once sync.Once
	rc.answer = func(r *http.Request, n int) int {
		if n == 1 {
			once.Do(func() { close(inFlight) })
			<-r.Context().Done() // held until the worker is stopped
		}
		return http.StatusNoContent
	}
	first := worker(pool, loopback)
	first.Batch = 1
	stop := run(first)
	<-inFlight
	stop()

	second := run(worker(pool, loopback))
	defer second()
	waitFor(t, "five events", func() bool { got, _, _ := rc.counts(); return len(got) == 5 })
	var pending int
	waitFor(t, "the log to settle", func() bool {
		pool.QueryRow(context.Background(), `SELECT count(*) FROM webhook_deliveries WHERE state <> 'delivered'`).Scan(&pending) //nolint:errcheck
		return pending == 0
	})
	got, requests, bad := rc.counts()
	twice := 0
	for _, n := range got {
		twice += n - 1
	}
	if bad != 0 || twice > 1 || requests > 6 {
		t.Errorf("events %v, %d requests, %d unverified: want each once, one repeat at most", got, requests, bad)
	}
	ds, err := store.New(pool).WebhookDeliveries(context.Background(), ep.ID, 20)
	if err != nil || len(ds) != 5 {
		t.Fatalf("delivery log: %d (%v)", len(ds), err)
	}
	for _, d := range ds {
		if d.State != "DELIVERED" || d.LastStatus == nil || *d.LastStatus != 204 || d.LastLatencyMs == nil || !strings.HasPrefix(d.EventType, "issue.") {
			t.Errorf("delivery %+v", d)
		}
	}
}

// TestFailingEndpointIsDisabled: an endpoint answering 500 is retried with backoff and, after
// DisableAfter attempts in a row, disabled with the reason; nothing more is sent to it.
func TestFailingEndpointIsDisabled(t *testing.T) {
	rc := newReceiver(t)
	rc.answer = func(*http.Request, int) int { return http.StatusInternalServerError }
	pool, ep := setup(t, rc, 1)
	w := worker(pool, loopback)
	w.DisableAfter = 3
	stop := run(w)
	defer stop()
	s := store.New(pool)
	waitFor(t, "the endpoint disabled", func() bool {
		eps, err := s.WebhookEndpoints(context.Background())
		return err == nil && eps[0].State == "disabled"
	})
	time.Sleep(100 * time.Millisecond)
	eps, _ := s.WebhookEndpoints(context.Background())
	if _, requests, _ := rc.counts(); requests != 3 || eps[0].DisabledReason == nil || !strings.Contains(*eps[0].DisabledReason, "HTTP 500") {
		t.Errorf("%d requests, reason %v", requests, eps[0].DisabledReason)
	}
	ds, _ := s.WebhookDeliveries(context.Background(), ep.ID, 20)
	if len(ds) != 1 || ds[0].Attempts != 3 || ds[0].State != "PENDING" || *ds[0].LastStatus != 500 {
		t.Errorf("log: %+v", ds[0])
	}
}

// TestGuardRefusesInternalAddresses: loopback and private addresses are refused at
// registration and when dialled — a name resolving to loopback too — unless allow-listed.
func TestGuardRefusesInternalAddresses(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{"http://127.0.0.1/", "http://10.0.0.1/", "http://169.254.169.254/latest", "http://localhost:8080/", "http://[::1]/", "ftp://example.org/"} {
		if err := (webhook.Guard{}).CheckURL(ctx, u); err == nil {
			t.Errorf("%s: registered", u)
		}
	}
	if err := loopback.CheckURL(ctx, "http://localhost:8080/"); err != nil {
		t.Errorf("allow-listed loopback: %v", err)
	}
	// Registered while allowed, refused at the connection: nothing reaches the receiver.
	rc := newReceiver(t)
	pool, ep := setup(t, rc, 1)
	stop := run(worker(pool, webhook.Guard{}))
	var last *string
	waitFor(t, "a refused attempt", func() bool {
		ds, err := store.New(pool).WebhookDeliveries(ctx, ep.ID, 1)
		if err == nil && len(ds) == 1 && ds[0].LastError != nil {
			last = ds[0].LastError
		}
		return last != nil
	})
	stop()
	if _, requests, _ := rc.counts(); requests != 0 || !strings.Contains(*last, "not allow-listed") {
		t.Errorf("%d requests reached loopback; error %q", requests, *last)
	}
}

// TestSignatureRotation: after a rotation, deliveries are signed under the new secret and,
// during the overlap, the old one too: a receiver holding either verifies them; a wrong secret
// or an old timestamp does not verify.
func TestSignatureRotation(t *testing.T) {
	rc := newReceiver(t)
	pool, ep := setup(t, rc, 1)
	old := rc.secret
	fresh := webhook.NewSecret()
	if _, err := store.New(pool).RotateWebhookSecret(context.Background(), ep.ID, fresh, time.Hour); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var ts, sig string
	rc.answer = func(r *http.Request, _ int) int {
		mu.Lock()
		defer mu.Unlock()
		ts, sig = r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature)
		return http.StatusNoContent
	}
	stop := run(worker(pool, loopback))
	defer stop()
	waitFor(t, "the event", func() bool { got, _, _ := rc.counts(); return len(got) == 1 })
	mu.Lock()
	defer mu.Unlock()
	now := time.Now()
	for _, c := range []struct {
		secret string
		want   bool
	}{{old, true}, {fresh, true}, {"whsec_other", false}} {
		if got := strings.Count(sig, "v1=") == 2 && verifies(t, rc, c.secret, ts, sig, now); got != c.want {
			t.Errorf("secret %.12s…: verified %v, want %v (signatures %s)", c.secret, got, c.want, sig)
		}
	}
	if stale := strconv.FormatInt(now.Add(-time.Hour).Unix(), 10); verifies(t, rc, old, stale, sig, now) {
		t.Error("an hour-old timestamp verified")
	}
}

// verifies checks the receiver's last body under secret.
func verifies(t *testing.T, rc *receiver, secret, ts, sig string, now time.Time) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return webhook.Verify(secret, ts, sig, rc.last, now, 5*time.Minute)
}

// TestPruneKeepsWhatIsNeeded: events and finished deliveries older than the retention go, with
// their attempts; a recent event, and an old one a pending delivery still needs, stay.
func TestPruneKeepsWhatIsNeeded(t *testing.T) {
	rc := newReceiver(t)
	pool, _ := setup(t, rc, 3)
	ctx := context.Background()
	stop := run(worker(pool, loopback))
	waitFor(t, "three deliveries", func() bool {
		var n int
		pool.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'`).Scan(&n) //nolint:errcheck
		return n == 3
	})
	stop()
	// Issue events 1 and 2 (delivered) and the check-in events are made old; 2 gets a pending
	// delivery again.
	if _, err := pool.Exec(ctx, `UPDATE outbox SET at = now() - interval '8 days' WHERE entity_id IN (1, 2);
		UPDATE webhook_deliveries SET created_at = now() - interval '8 days';
		UPDATE webhook_deliveries SET state = 'pending', next_at = now() + interval '1 day'
			WHERE outbox_id = (SELECT id FROM outbox WHERE kind = 'issue' AND entity_id = 2)`); err != nil {
		t.Fatal(err)
	}
	if err := worker(pool, loopback).Prune(ctx); err != nil {
		t.Fatal(err)
	}
	var left string
	if err := pool.QueryRow(ctx, `SELECT string_agg(kind || entity_id || ':' || (SELECT count(*) FROM webhook_deliveries d WHERE d.outbox_id = o.id)
		|| ':' || (SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.outbox_id = o.id), ' ' ORDER BY kind, entity_id)
		FROM outbox o`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != "checkin3:0:0 issue2:1:1 issue3:0:0" {
		t.Errorf("left after pruning (kind, entity, deliveries, attempts): %s", left)
	}
}
