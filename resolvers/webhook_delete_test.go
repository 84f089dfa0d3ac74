package resolvers_test

import (
	"io"
	"log/slog"
	"net/netip"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/observe"
	"gridgov/server"
	"gridgov/store"
	"gridgov/webhook"
)

// TestWebhooksDeleteEndpoint: a deleted endpoint leaves the list, its pending delivery is given
// up, a later event queues nothing for it, and deleting it again is NOT_FOUND.
func TestWebhooksDeleteEndpoint(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	l := server.DefaultLimits()
	l.RateLimit = 0
	e.h = server.GraphQL(server.Options{Store: store.New(e.pool), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: observe.NewGraphQL(prometheus.NewRegistry()), Keys: e.keys, Limits: l,
		WebhookGuard: webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	d := e.ok(w.cadrePerson, `mutation { registerWebhook(input: {url: "http://127.0.0.1:9/hook", eventTypes: [ISSUE]}) { endpoint { id } } }`, nil)
	endpoint := dig(d, "registerWebhook", "endpoint", "id").(string)
	e.report(w, w.grid, "垃圾堆放") // queued, never sent: no worker runs

	del := `mutation($id: ID!) { deleteWebhookEndpoint(input: {endpointId: $id}) { id url } }`
	if d := e.ok(w.cadrePerson, del, map[string]any{"id": endpoint}); dig(d, "deleteWebhookEndpoint", "id") != endpoint {
		t.Fatalf("delete: %v", d)
	}
	if d := e.ok(w.cadrePerson, `{ webhookEndpoints { id } }`, nil); len(dig(d, "webhookEndpoints").([]any)) != 0 {
		t.Errorf("the deleted endpoint is still listed: %v", d)
	}
	d = e.ok(w.cadrePerson, `query($id: ID!) { webhookDeliveries(endpointId: $id) { state } }`, map[string]any{"id": endpoint})
	if dig(d, "webhookDeliveries", 0, "state") != "FAILED" {
		t.Errorf("the pending delivery: %v, want FAILED", d)
	}
	e.report(w, w.grid, "路面塌陷")
	if n := e.id(`SELECT count(*) FROM webhook_deliveries`); n != 1 {
		t.Errorf("%d deliveries, want the one queued before the delete", n)
	}
	e.fails(w.cadrePerson, "NOT_FOUND", del, map[string]any{"id": endpoint})
}
