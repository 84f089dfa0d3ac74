package resolvers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/observe"
	"gridgov/realtime"
	"gridgov/server"
	"gridgov/store"
	"gridgov/webhook"
)

// An API instance with its own hub, as one `gridgov serve` process is: its hub reads the
// outbox of the env's database.
type instance struct {
	hub *realtime.Hub
	srv *httptest.Server
	url string
}

// serveRealtime starts an instance over e's database; it stops with the test.
func (e *env) serveRealtime(t testing.TB, limits realtime.Limits) *instance {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := prometheus.NewRegistry()
	hub := realtime.NewHub(e.pool, log, reg, limits)
	hub.Poll = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hub.Run(ctx); close(done) }() //nolint:errcheck
	l := server.DefaultLimits()
	l.RateLimit = 0
	h := server.GraphQL(server.Options{Store: store.New(e.pool), Log: log, Metrics: observe.NewGraphQL(reg), Keys: e.keys, Limits: l, Realtime: hub})
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close(); cancel(); <-done })
	return &instance{hub: hub, srv: srv, url: "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"}
}

// wsMsg is a graphql-transport-ws message.
type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient speaks graphql-transport-ws as the graphql-ws client does: connection_init with
// the token, then subscribe messages; pings are answered.
type wsClient struct {
	t    testing.TB
	c    *websocket.Conn
	msgs chan wsMsg
	// closed receives the close status once the server closed the connection.
	closed chan websocket.StatusCode
}

// dialWS connects and initialises with token; it fails the test unless acknowledged.
func dialWS(t testing.TB, url, token string) *wsClient {
	t.Helper()
	c := openWS(t, url, token)
	m, ok := c.next(5 * time.Second)
	if !ok || m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v (%v)", m, ok)
	}
	return c
}

// openWS connects and sends connection_init, without waiting for the answer.
func openWS(t testing.TB, url, token string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if resp.Header.Get("Sec-WebSocket-Protocol") != "graphql-transport-ws" {
		t.Fatalf("subprotocol %q", resp.Header.Get("Sec-WebSocket-Protocol"))
	}
	c := &wsClient{t: t, c: conn, msgs: make(chan wsMsg, 256), closed: make(chan websocket.StatusCode, 1)}
	go c.read()
	init := map[string]any{}
	if token != "" {
		init["Authorization"] = "Bearer " + token
	}
	c.send(wsMsg{Type: "connection_init", Payload: mustJSON(init)})
	t.Cleanup(func() { conn.CloseNow() }) //nolint:errcheck
	return c
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func (c *wsClient) read() {
	defer close(c.msgs)
	for {
		_, b, err := c.c.Read(context.Background())
		if err != nil {
			c.closed <- websocket.CloseStatus(err)
			return
		}
		var m wsMsg
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		if m.Type == "ping" {
			c.send(wsMsg{Type: "pong"})
			continue
		}
		c.msgs <- m
	}
}

func (c *wsClient) send(m wsMsg) {
	b, _ := json.Marshal(m)
	if err := c.c.Write(context.Background(), websocket.MessageText, b); err != nil && !errors.Is(err, context.Canceled) {
		c.t.Logf("ws write: %v", err)
	}
}

// subscribe starts subscription id with query.
func (c *wsClient) subscribe(id, query string) {
	c.send(wsMsg{ID: id, Type: "subscribe", Payload: mustJSON(map[string]any{"query": query})})
}

// next gives the next message within d; false when none came.
func (c *wsClient) next(d time.Duration) (wsMsg, bool) {
	select {
	case m, ok := <-c.msgs:
		return m, ok
	case <-time.After(d):
		return wsMsg{}, false
	}
}

// event waits for the next message, which must be a next message; it gives its data.
func (c *wsClient) event(d time.Duration) map[string]any {
	c.t.Helper()
	m, ok := c.next(d)
	if !ok || m.Type != "next" {
		c.t.Fatalf("want a next message, got %+v (%v)", m, ok)
	}
	var p gqlResp
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		c.t.Fatalf("event payload %s (%v)", m.Payload, err)
	}
	return p.Data
}

// waitSubs waits until hub holds n subscriptions: the server registers a subscription after
// the client sent it, with no answer until the first event.
func waitSubs(t testing.TB, hub *realtime.Hub, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); hub.Subscriptions() != n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("want %d subscriptions, hub holds %d", n, hub.Subscriptions())
		}
	}
}

const issueSub = `subscription { issueChanged { id title state reporter { name phone } } }`

// report has the cadre report an issue in grid (through the HTTP API, another token than any
// subscriber's) and gives its id.
func (e *env) report(w world, grid int64, title string) string {
	e.t.Helper()
	d := e.ok(w.cadrePerson, `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"categoryId": gid("IssueCategory", w.issueCat), "gridId": gid("Grid", grid), "title": title, "description": "-"}})
	return dig(d, "reportIssue", "id").(string)
}

// otherCommunity adds a street, community and grid beside the world's; it gives the grid.
func (e *env) otherCommunity(w world) (community, grid int64) {
	street := e.id(`INSERT INTO streets (city_id, code, name, kind) VALUES ($1, 'S2', '天河街道', 'street') RETURNING id`, w.city)
	community = e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'C2', '湖光社区') RETURNING id`, street)
	grid = e.id(`INSERT INTO grids (street_id, community_id, code, name) VALUES ($1, $2, 'G9', '第九网格') RETURNING id`, street, community)
	return community, grid
}

// TestSubscriptionsFollowScopeAndRole: after another token's mutation, a cadre of the issue's
// community receives it with the reporter's phone, a leader of its street receives it with the
// phone masked, and a cadre of another community receives nothing: the first event they get
// is a later issue of their own community.
func TestSubscriptionsFollowScopeAndRole(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	otherCommunity, otherGrid := e.otherCommunity(w)
	in := e.serveRealtime(t, realtime.Limits{})

	cadre := dialWS(t, in.url, e.token("community_cadre", gid("Community", w.community), w.cadrePerson))
	leader := dialWS(t, in.url, e.token("leader", gid("Street", w.street), w.resident))
	outsider := dialWS(t, in.url, e.token("community_cadre", gid("Community", otherCommunity), w.resident))
	for _, c := range []*wsClient{cadre, leader, outsider} {
		c.subscribe("1", issueSub)
	}
	waitSubs(t, in.hub, 3)

	id := e.report(w, w.grid, "路灯不亮")
	got := cadre.event(5 * time.Second)
	if dig(got, "issueChanged", "id") != id || dig(got, "issueChanged", "state") != "REPORTED" ||
		dig(got, "issueChanged", "reporter", "phone") != "13800000000" {
		t.Fatalf("cadre: %v", got)
	}
	got = leader.event(5 * time.Second)
	if dig(got, "issueChanged", "id") != id || dig(got, "issueChanged", "reporter", "name") != "王干部" ||
		dig(got, "issueChanged", "reporter", "phone") != nil {
		t.Fatalf("leader: want the issue with the phone masked, got %v", got)
	}

	sentinel := e.report(w, otherGrid, "井盖缺失")
	if got := outsider.event(5 * time.Second); dig(got, "issueChanged", "id") != sentinel {
		t.Fatalf("outsider: the first event must be their own community's, got %v", got)
	}
	// The cadre of the first community does not get the other community's issue.
	if m, ok := cadre.next(300 * time.Millisecond); ok {
		t.Fatalf("cadre got an issue of another community: %+v", m)
	}
}

// TestSubscriptionsOnTwoInstances: two API instances over one database, each with its own hub;
// a mutation through either reaches the subscribers of both.
func TestSubscriptionsOnTwoInstances(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	a, b := e.serveRealtime(t, realtime.Limits{}), e.serveRealtime(t, realtime.Limits{})
	tok := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	ca, cb := dialWS(t, a.url, tok), dialWS(t, b.url, tok)
	ca.subscribe("a", issueSub)
	cb.subscribe("b", issueSub)
	waitSubs(t, a.hub, 1)
	waitSubs(t, b.hub, 1)

	id := e.report(w, w.grid, "噪音扰民")
	for name, c := range map[string]*wsClient{"a": ca, "b": cb} {
		if got := c.event(5 * time.Second); dig(got, "issueChanged", "id") != id {
			t.Errorf("instance %s: %v", name, got)
		}
	}
}

// TestSubscriptionRefusals: no token closes with 4401, a bad one with 4403, and a connection is
// closed with 4403 when its token expires; a role that may not read check-ins is FORBIDDEN,
// and a connection's subscriptions beyond its limit are refused with RATE_LIMITED.
func TestSubscriptionRefusals(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	in := e.serveRealtime(t, realtime.Limits{PerConnection: 1})

	for token, want := range map[string]websocket.StatusCode{"": realtime.CloseUnauthorized, "not-a-token": realtime.CloseForbidden} {
		c := openWS(t, in.url, token)
		select {
		case got := <-c.closed:
			if got != want {
				t.Errorf("token %q: closed with %d, want %d", token, got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("token %q: not closed", token)
		}
	}

	short, err := e.keys.Issue("community_cadre", gid("Community", w.community), fmt.Sprint(w.cadrePerson), time.Second, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := dialWS(t, in.url, short)
	c.subscribe("1", issueSub)
	select {
	case got := <-c.closed:
		if got != realtime.CloseForbidden {
			t.Errorf("expired token: closed with %d, want %d", got, realtime.CloseForbidden)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("expired token: not closed")
	}

	waitSubs(t, in.hub, 0)
	unit := dialWS(t, in.url, e.token("resident", gid("Grid", w.grid), w.resident))
	unit.subscribe("1", `subscription { checkinChanged { id } }`)
	if m, ok := unit.next(5 * time.Second); !ok || !strings.Contains(string(m.Payload), `"code":"FORBIDDEN"`) {
		t.Errorf("resident subscribing to check-ins: %+v", m)
	}
	two := dialWS(t, in.url, e.token("community_cadre", gid("Community", w.community), w.cadrePerson))
	two.subscribe("1", issueSub)
	waitSubs(t, in.hub, 1)
	two.subscribe("2", issueSub)
	if m, ok := two.next(5 * time.Second); !ok || m.ID != "2" || !strings.Contains(string(m.Payload), `"code":"RATE_LIMITED"`) {
		t.Errorf("second subscription on a connection of one: %+v", m)
	}
}

// TestConcurrentSubscribersHangUp: subscribers come and go — some closing cleanly, some
// dropping their connection — while issues are reported; every subscription the hub held is
// released, and the ones that stay get every event.
func TestConcurrentSubscribersHangUp(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	in := e.serveRealtime(t, realtime.Limits{})
	tok := e.token("city_admin", auth.ScopeCity, w.cadrePerson)
	stay := dialWS(t, in.url, tok)
	stay.subscribe("s", issueSub)
	waitSubs(t, in.hub, 1)

	const events = 10
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c := dialWS(t, in.url, tok)
			c.subscribe("x", issueSub)
			time.Sleep(time.Duration(i*20) * time.Millisecond)
			if i%2 == 0 {
				c.c.CloseNow() //nolint:errcheck // dropped mid-flight
			} else {
				c.send(wsMsg{ID: "x", Type: "complete"})
				c.c.Close(websocket.StatusNormalClosure, "") //nolint:errcheck
			}
		})
	}
	ids := map[string]bool{}
	for i := range events {
		ids[e.report(w, w.grid, fmt.Sprintf("事件%d", i))] = true
	}
	wg.Wait()
	for range events {
		got := stay.event(5 * time.Second)
		delete(ids, dig(got, "issueChanged", "id").(string))
	}
	if len(ids) != 0 {
		t.Errorf("events not received: %v", ids)
	}
	waitSubs(t, in.hub, 1)
}

// TestWebhooksThroughTheAPI: a city admin registers an endpoint on loopback (allow-listed) and
// gets its secret; an issue reported through the API reaches it signed, naming the issue; the
// delivery log shows it delivered, with its one attempt; rotating gives a new secret; and
// without the allow-list a loopback URL is refused at registration, naming the field.
func TestWebhooksThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	allow := webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	l := server.DefaultLimits()
	l.RateLimit = 0
	e.h = server.GraphQL(server.Options{Store: store.New(e.pool), Log: log, Metrics: observe.NewGraphQL(prometheus.NewRegistry()),
		Keys: e.keys, Limits: l, WebhookGuard: allow})

	type delivery struct{ id, ts, sig, body string }
	got := make(chan delivery, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- delivery{r.Header.Get(webhook.HeaderEventID), r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature), string(b)}
	}))
	defer rcv.Close()
	reg := `mutation($in: RegisterWebhookInput!) { registerWebhook(input: $in) { secret endpoint { id url eventTypes placeId state } } }`
	d := e.ok(w.cadrePerson, reg, map[string]any{"in": map[string]any{"url": rcv.URL, "eventTypes": []string{"ISSUE"}, "streetId": gid("Street", w.street)}})
	secret := dig(d, "registerWebhook", "secret").(string)
	endpoint := dig(d, "registerWebhook", "endpoint", "id").(string)
	if dig(d, "registerWebhook", "endpoint", "placeId") != gid("Street", w.street) || dig(d, "registerWebhook", "endpoint", "state") != "ACTIVE" ||
		dig(d, "registerWebhook", "endpoint", "eventTypes", 0) != "ISSUE" || !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("register: %v", d)
	}

	worker := webhook.NewWorker(e.pool, log, prometheus.NewRegistry(), allow)
	worker.Poll = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { worker.Run(ctx); close(done) }() //nolint:errcheck
	defer func() { cancel(); <-done }()

	issue := e.report(w, w.grid, "消防通道堵塞")
	var first delivery
	select {
	case first = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
	}
	ts, _ := strconv.ParseInt(first.ts, 10, 64)
	if !webhook.Verify(secret, first.ts, first.sig, []byte(first.body), time.Unix(ts, 0), time.Minute) ||
		!strings.Contains(first.body, `"objectId":"`+issue+`"`) || !strings.Contains(first.body, `"type":"issue.report"`) {
		t.Fatalf("delivery: %+v", first)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		d = e.ok(w.cadrePerson, `query($id: ID!) { webhookDeliveries(endpointId: $id) { eventId eventType state attempts lastStatus lastLatencyMs attemptLog { at status latencyMs error } } }`, map[string]any{"id": endpoint})
		if dig(d, "webhookDeliveries", 0, "state") == "DELIVERED" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if dig(d, "webhookDeliveries", 0, "eventId") != first.id || dig(d, "webhookDeliveries", 0, "state") != "DELIVERED" ||
		dig(d, "webhookDeliveries", 0, "lastStatus") != float64(200) || dig(d, "webhookDeliveries", 0, "attempts") != float64(1) ||
		len(dig(d, "webhookDeliveries", 0, "attemptLog").([]any)) != 1 || dig(d, "webhookDeliveries", 0, "attemptLog", 0, "status") != float64(200) ||
		dig(d, "webhookDeliveries", 0, "attemptLog", 0, "error") != nil || dig(d, "webhookDeliveries", 0, "attemptLog", 0, "at") == nil {
		t.Fatalf("delivery log: %v", d)
	}

	d = e.ok(w.cadrePerson, `mutation($id: ID!) { rotateWebhookSecret(input: {endpointId: $id, overlapHours: 1}) { secret endpoint { previousSecretUntil } } }`,
		map[string]any{"id": endpoint})
	if s := dig(d, "rotateWebhookSecret", "secret"); s == secret || dig(d, "rotateWebhookSecret", "endpoint", "previousSecretUntil") == nil {
		t.Fatalf("rotate: %v", d)
	}

	e.h = server.GraphQL(server.Options{Store: store.New(e.pool), Log: log, Metrics: observe.NewGraphQL(prometheus.NewRegistry()), Keys: e.keys, Limits: l})
	r := e.fails(w.cadrePerson, "BAD_USER_INPUT", reg, map[string]any{"in": map[string]any{"url": rcv.URL, "eventTypes": []string{"ISSUE"}}})
	if r.Errors[0].Extensions["field"] != "url" || !strings.Contains(r.Errors[0].Message, "not allow-listed") {
		t.Fatalf("loopback without the allow-list: %+v", r.Errors)
	}
}
