// Package schema holds the contracts of gridgov as embedded files: the Postgres migrations,
// the ClickHouse DDL and the GraphQL SDL. Nothing here runs; the store, warehouse and API
// packages read these files so that the binary carries its own schema.
package schema

import "embed"

// Postgres holds the operational migrations, postgres/NNNNN_name.sql, applied in order.
//
//go:embed postgres/*.sql
var Postgres embed.FS
