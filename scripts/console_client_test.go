package scripts

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/gid"
	"gridgov/server"
)

// TestConsoleClient builds the typed client example with scripts/console-client.sh (npm ci,
// graphql-codegen from docs/schema.graphql, tsc strict: a type error fails it) and serves
// the API in allow-list mode from the manifest the script wrote: each of the client's
// operations, sent by id as the client sends it, runs (the claim to its NOT_FOUND); a query it does not register is
// refused with OPERATION_NOT_ALLOWED, by id or in full.
func TestConsoleClient(t *testing.T) {
	manifest := filepath.Join(t.TempDir(), "persisted-operations.json")
	out, err := exec.CommandContext(t.Context(), "bash", "console-client.sh", "-o", manifest).CombinedOutput()
	t.Logf("$ bash console-client.sh -o %s\n%s", manifest, out)
	if err != nil {
		t.Fatalf("console-client.sh: %v", err)
	}
	raw, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Operations []struct{ ID, Name, Body string }
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	list, err := server.LoadAllowList(manifest)
	if err != nil {
		t.Fatalf("allow-list mode refuses the manifest: %v", err)
	}
	if list.Len() != len(m.Operations) || list.Len() < 4 {
		t.Fatalf("allow-list mode registers %d operations of the manifest's %d", list.Len(), len(m.Operations))
	}

	pool := dbtest.New(t)
	var street int64
	if err := pool.QueryRow(t.Context(), `WITH c AS (INSERT INTO cities (code, name) VALUES ('340181', '巢湖市') RETURNING id)
		INSERT INTO streets (city_id, code, name, kind) SELECT id, 'S1', '亚父街道', 'street' FROM c RETURNING id`).Scan(&street); err != nil {
		t.Fatal(err)
	}
	keys, err := auth.LoadKeys("HS256", strings.Repeat("s", 32), "", "", "gridgov", "gridgov", 0)
	if err != nil {
		t.Fatal(err)
	}
	token, err := keys.Issue("city_admin", auth.ScopeCity, "1", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Deps{Pool: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Keys: keys, AllowList: list}))
	defer srv.Close()

	variables := map[string]map[string]any{
		"ConsoleIssues": {"grid": gid.Encode("Grid", 1)},
		"OrderFeed":     {"before": time.Now().Format(time.RFC3339)},
		"Streets":       {},
		"ClaimOrder":    {"input": map[string]any{"orderId": gid.Encode("ServiceOrder", 1), "version": 1}},
	}
	for _, op := range m.Operations {
		vars, ok := variables[op.Name]
		if !ok {
			t.Errorf("operation %s: the test has no variables for it", op.Name)
			continue
		}
		ans := postGraphQL(t, srv.URL, token, map[string]any{"operationName": op.Name, "variables": vars,
			"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": op.ID}}})
		t.Logf("%s by id: %s", op.Name, ans.raw)
		// The reads answer; the claim runs and finds no order 1 in this city.
		want := []string(nil)
		if op.Name == "ClaimOrder" {
			want = []string{"NOT_FOUND"}
		}
		if !slices.Equal(ans.codes, want) {
			t.Errorf("operation %s, by id: codes %v, want %v: %s", op.Name, ans.codes, want, ans.raw)
		}
		if op.Name == "Streets" && !strings.Contains(ans.raw, "亚父街道") {
			t.Errorf("Streets: %s, want the street", ans.raw)
		}
	}
	other := `query Other { streets(first: 1) { totalCount } }`
	for _, req := range []map[string]any{{"query": other},
		{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": server.Hash(other)}}}} {
		if ans := postGraphQL(t, srv.URL, token, req); !ans.has("OPERATION_NOT_ALLOWED") {
			t.Errorf("an unregistered query: %s, want OPERATION_NOT_ALLOWED", ans.raw)
		}
	}
}

// answer is a GraphQL answer: its text and its errors' codes.
type answer struct {
	raw   string
	codes []string
}

func (a answer) has(code string) bool { return slices.Contains(a.codes, code) }

func postGraphQL(t *testing.T, url, token string, body map[string]any) answer {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r struct {
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	json.Unmarshal(raw, &r) //nolint:errcheck
	a := answer{raw: string(raw)}
	for _, e := range r.Errors {
		a.codes = append(a.codes, e.Extensions.Code)
	}
	return a
}
