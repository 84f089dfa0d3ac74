package schema

import "embed"

// GraphQL holds the API's SDL, graphql/*.graphqls, one file per domain area. gqlgen
// generates graph/ from these files; `gridgov schema print` writes them merged.
//
//go:embed graphql/*.graphqls
var GraphQL embed.FS
