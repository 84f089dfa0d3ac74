package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"gridgov/apperr"
	"gridgov/observe"
)

// AllowList is the set of registered operations of allow-list mode: only these run. A client
// sends either the full text of a registered document, or only its id (the hex SHA-256 of
// the text) in the persisted-query extension, as automatic persisted queries do:
// {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<id>"}}}.
type AllowList struct {
	byHash map[string]string
}

// LoadAllowList reads registered operations from a directory of *.graphql files (each file
// one document, its id the SHA-256 of its exact content) or from a JSON manifest:
// {"operations": [{"id": "<sha256>", "name": "...", "body": "query ..."}]} (Apollo's persisted
// query manifest), whose ids must match their bodies.
func LoadAllowList(path string) (*AllowList, error) {
	a := &AllowList{byHash: map[string]string{}}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("GRIDGOV_ALLOWLIST: %w", err)
	}
	var bodies []string
	if info.IsDir() {
		files, _ := filepath.Glob(filepath.Join(path, "*.graphql"))
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("GRIDGOV_ALLOWLIST: %w", err)
			}
			bodies = append(bodies, string(b))
		}
	} else {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("GRIDGOV_ALLOWLIST: %w", err)
		}
		var m struct {
			Operations []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
				Body string `json:"body"`
			} `json:"operations"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("GRIDGOV_ALLOWLIST: %s is not a JSON manifest: %w", path, err)
		}
		for _, op := range m.Operations {
			if op.ID != "" && !strings.EqualFold(op.ID, Hash(op.Body)) {
				return nil, fmt.Errorf("GRIDGOV_ALLOWLIST: operation %q: id is not the SHA-256 of its body", op.Name)
			}
			bodies = append(bodies, op.Body)
		}
	}
	for _, b := range bodies {
		if _, err := parser.ParseQuery(&ast.Source{Input: b}); err != nil {
			return nil, fmt.Errorf("GRIDGOV_ALLOWLIST: a registered operation does not parse: %w", err)
		}
		a.byHash[Hash(b)] = b
	}
	if len(a.byHash) == 0 {
		return nil, fmt.Errorf("GRIDGOV_ALLOWLIST: %s registers no operation", path)
	}
	return a, nil
}

// Hash is the id of an operation document: the hex SHA-256 of its text.
func Hash(doc string) string {
	s := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(s[:])
}

// Len gives the number of registered operations.
func (a *AllowList) Len() int { return len(a.byHash) }

// allowListExt serves only registered operations.
type allowListExt struct {
	list *AllowList
	m    *observe.GraphQL
}

func (allowListExt) ExtensionName() string                   { return "AllowList" }
func (allowListExt) Validate(graphql.ExecutableSchema) error { return nil }

func (e allowListExt) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	hash := ""
	if pq, ok := raw.Extensions["persistedQuery"].(map[string]any); ok {
		hash, _ = pq["sha256Hash"].(string)
	}
	if raw.Query == "" {
		if q, ok := e.list.byHash[strings.ToLower(hash)]; ok {
			raw.Query = q
			return nil
		}
	} else if _, ok := e.list.byHash[Hash(raw.Query)]; ok && (hash == "" || strings.EqualFold(hash, Hash(raw.Query))) {
		return nil
	}
	e.m.Refused("allowlist")
	return refusal(apperr.OperationNotAllowed, "only registered operations run on this server")
}
