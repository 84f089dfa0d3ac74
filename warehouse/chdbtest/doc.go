// Package chdbtest proves the warehouse DDL and queries on a current ClickHouse engine, chDB
// (libchdb.so from the npm package @chdb/lib-linux-x64-gnu, fetched by scripts/chdb.sh), while
// the other packages test against Debian's ClickHouse 18.16 server.
//
// It is a package of its own because github.com/chdb-io/chdb-go loads the library when the
// program starts (purego, from CHDB_LIB_PATH) and panics when it cannot: only this package's
// test binary should depend on it. Its tests fail, never skip, when CHDB_LIB_PATH is unset:
//
//	CHDB_LIB_PATH=$(scripts/chdb.sh) go test ./warehouse/chdbtest
package chdbtest
