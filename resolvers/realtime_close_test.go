package resolvers_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"gridgov/auth"
	"gridgov/realtime"
)

// dialStalled connects with a small receive buffer, initialises with token and subscribes
// with query, then reads nothing more: a client that stopped reading.
func dialStalled(t *testing.T, url, token, query string) *websocket.Conn {
	t.Helper()
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) }); cerr != nil {
			return cerr
		}
		return err
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"},
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() }) //nolint:errcheck
	for _, m := range []wsMsg{{Type: "connection_init", Payload: mustJSON(map[string]any{"Authorization": "Bearer " + token})},
		{ID: "1", Type: "subscribe", Payload: mustJSON(map[string]any{"query": query})}} {
		if m.Type == "subscribe" {
			if _, b, err := conn.Read(ctx); err != nil || !strings.Contains(string(b), "connection_ack") {
				t.Fatalf("want connection_ack, got %s (%v)", b, err)
			}
		}
		if err := conn.Write(ctx, websocket.MessageText, mustJSON(m)); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

// closeStatus reads conn to its end and gives the status it was closed with.
func closeStatus(t *testing.T, conn *websocket.Conn) websocket.StatusCode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := conn.Read(ctx); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

// TestSubscriptionSlowConsumerIsClosed: over a real WebSocket, a client that stops reading
// while events of a long issue keep coming falls a whole buffer behind once the socket's
// buffers are full; its connection is closed with 4429 and counted, while a client of the
// same process that keeps reading stays connected.
func TestSubscriptionSlowConsumerIsClosed(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	in := e.serveRealtime(t, realtime.Limits{Buffer: 16})
	admin := e.token("city_admin", auth.ScopeCity, w.cadrePerson)
	id := e.report(w, w.grid, "占道经营")
	// 27 KB an event: the stalled socket fills after a few score, and a message stays under the
	// client's read limit (32 KiB).
	issue := e.id(`UPDATE issues SET description = repeat('长', 9000) WHERE title = '占道经营' RETURNING id`)

	keeper := dialWS(t, in.url, admin)
	keeper.subscribe("k", `subscription { issueChanged { id } }`)
	stalled := dialStalled(t, in.url, admin, `subscription { issueChanged { id description } }`)
	waitSubs(t, in.hub, 2)

	slow := in.hub.Metrics().Closed.WithLabelValues("slow_consumer")
	for deadline := time.Now().Add(30 * time.Second); testutil.ToFloat64(slow) == 0; time.Sleep(30 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the stalled client was not dropped")
		}
		e.id(`INSERT INTO issue_events (issue_id, street_id, community_id, grid_id, actor_role, action, to_state)
			SELECT id, street_id, community_id, grid_id, 'city_admin', 'note', state FROM issues WHERE id = $1 RETURNING id`, issue)
	}
	if got := closeStatus(t, stalled); got != realtime.CloseSlowConsumer {
		t.Errorf("the stalled client was closed with %d, want %d", got, realtime.CloseSlowConsumer)
	}
	if got := testutil.ToFloat64(slow); got != 1 {
		t.Errorf("slow_consumer closes counted: %v, want 1", got)
	}
	waitSubs(t, in.hub, 1)
	if got := keeper.event(5 * time.Second); dig(got, "issueChanged", "id") != id {
		t.Errorf("keeper: %v", got)
	}
	select {
	case code := <-keeper.closed:
		t.Errorf("the reading client was closed too, with %d", code)
	default:
	}
}

// TestShutdownClosesWithGoingAway: as `gridgov serve` stops — its listener shut, then the
// hub's GoAway — every WebSocket connection is closed with 1001, its subscriptions are
// released, and GoAway returns once they are gone.
func TestShutdownClosesWithGoingAway(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	in := e.serveRealtime(t, realtime.Limits{})
	tok := e.token("city_admin", auth.ScopeCity, w.cadrePerson)
	clients := []*wsClient{dialWS(t, in.url, tok), dialWS(t, in.url, tok), dialWS(t, in.url, tok)}
	for _, c := range clients[:2] {
		c.subscribe("1", issueSub)
	}
	waitSubs(t, in.hub, 2)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := in.srv.Config.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := in.hub.GoAway(ctx); err != nil {
		t.Fatal(err)
	}
	for i, c := range clients {
		select {
		case got := <-c.closed:
			if got != realtime.CloseGoingAway {
				t.Errorf("client %d: closed with %d, want %d", i, got, realtime.CloseGoingAway)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("client %d: not closed", i)
		}
	}
	waitSubs(t, in.hub, 0)
	if got := testutil.ToFloat64(in.hub.Metrics().Closed.WithLabelValues("going_away")); got != 3 {
		t.Errorf("going_away closes counted: %v, want 3", got)
	}
}
