package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/formatter"

	"gridgov/graph"
)

// SDL is the GraphQL schema the binary serves, as one document with its descriptions: what
// `gridgov schema print` writes, what docs/schema.graphql holds, and what GET /graphql/schema
// answers.
var SDL = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatSchema(graph.NewExecutableSchema(graph.Config{}).Schema())
	return buf.Bytes()
})

// sdlHandler answers GET /graphql/schema with SDL to an authenticated token. Introspection is
// off in production; code generators and breaking-change checks read the schema here instead,
// with the same token as their queries. The ETag is the SHA-256 of the document.
func sdlHandler() http.Handler {
	sum := sha256.Sum256(SDL())
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/graphql; charset=utf-8")
		h.Set("Cache-Control", "private, no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "schema.graphql", time.Time{}, bytes.NewReader(SDL()))
	})
}
