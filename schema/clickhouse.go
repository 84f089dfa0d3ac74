package schema

import "embed"

// ClickHouse holds the warehouse DDL, clickhouse/NNNNN_name.sql, one statement per file
// (ClickHouse DDL is not transactional), applied in order by `gridgov warehouse migrate`. The
// leading comment lines of a CREATE TABLE file describe the table in the data dictionary.
//
//go:embed clickhouse/*.sql
var ClickHouse embed.FS
