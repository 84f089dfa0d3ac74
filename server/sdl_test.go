package server_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"gridgov/dbtest"
	"gridgov/server"
)

// TestSchemaIsServedToTokens: GET /graphql/schema answers the SDL to a token only (production
// has no introspection), with an ETag that answers 304; docs/schema.graphql is the same
// document (go generate writes it).
func TestSchemaIsServedToTokens(t *testing.T) {
	keys, token := testToken(t, "leader", "city", "7")
	h := server.New(server.Deps{Pool: dbtest.New(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Keys: keys})
	get := func(token, etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/graphql/schema", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := get("", ""); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"UNAUTHENTICATED"`) {
		t.Fatalf("without a token: %d %s", rec.Code, rec.Body.String())
	}
	rec := get(token, "")
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), server.SDL()) || !strings.Contains(rec.Body.String(), "type Query {") ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/graphql") {
		t.Fatalf("with a token: %d %s %.200s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	if again := get(token, rec.Header().Get("ETag")); again.Code != http.StatusNotModified {
		t.Errorf("with its ETag: %d", again.Code)
	}
	committed, err := os.ReadFile("../docs/schema.graphql")
	if err != nil || !bytes.Equal(committed, server.SDL()) {
		t.Errorf("docs/schema.graphql is not the schema served (run go generate ./graph/): %v", err)
	}
}
