package warehouse

import (
	"bytes"
	"fmt"
	"strings"
)

// Dictionary renders the data dictionary (docs/warehouse.md) from the DDL's comments, so the
// document a statistician reads cannot drift from the tables they query.
func Dictionary() ([]byte, error) {
	tables, err := Tables()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(dictionaryIntro)
	if err := writePrivacy(&b); err != nil {
		return nil, err
	}
	groups := []struct{ prefix, title, intro string }{
		{"dim_", "Dimensions", "Places, organisations, categories, people as pseudonymous keys, and the calendar."},
		{"role_", "Roles", "Who holds which role where. People appear only as `person_key`, or not at all (see Privacy)."},
		{"fact_", "Facts", "What happened: issues, services, check-ins, ratings, activities, meetings and work logs."},
		{"sum_", "Summaries", "Small tables the indicators read instead of the large facts, rebuilt whole from the deduplicated\n" +
			"tables above (`FINAL`, `is_deleted = 0`) after each ETL run that changed their sources, and swapped in\n" +
			"with one `RENAME`. Their rows are unique: sum them without `FINAL`. `sum_state` says which snapshot each reflects."},
	}
	writeExamples(&b)
	views, err := Views()
	if err != nil {
		return nil, err
	}
	b.WriteString("\n## Metric views\n\nOne definition of each metric: the indicators read these views, so the API, the dashboard and a\n" +
		"statistician's SQL count it the same way. Each sums over any places (and days); the worked examples above read them.\n")
	for _, v := range views {
		fmt.Fprintf(&b, "\n### %s\n\n%s\n\n```sql\n%s\n```\n", v.Table, v.Description, strings.TrimSpace(stripComments(v.SQL)))
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", g.title, g.intro)
		for _, t := range tables {
			if strings.HasPrefix(t.Table, g.prefix) {
				writeTable(&b, t)
			}
		}
	}
	return b.Bytes(), nil
}

func writeExamples(b *bytes.Buffer) {
	b.WriteString("\n## Worked examples\n\nEach runs as written in the warehouse database (a statistician's connection has it as\n" +
		"the current database) on ClickHouse 18.16 and current releases; the tests run all of them.\n")
	for i, e := range Examples {
		fmt.Fprintf(b, "\n### %d. %s\n\n%s\n\n```sql\n%s\n```\n", i+1, e.Title, e.Question, e.SQL)
	}
}

func writeTable(b *bytes.Buffer, t Migration) {
	fmt.Fprintf(b, "\n### %s\n\n%s\n\n", t.Table, t.Description)
	b.WriteString("| column | type | meaning |\n|---|---|---|\n")
	for _, c := range t.Columns {
		fmt.Fprintf(b, "| `%s` | `%s` | %s |\n", c.Name, c.Type, strings.ReplaceAll(c.Comment, "|", `\|`))
	}
}

const dictionaryIntro = `# Warehouse data dictionary

<!-- Generated from schema/clickhouse/*.sql by ` + "`gridgov warehouse dict > docs/warehouse.md`" + `; do not edit by hand. -->

The warehouse is a ClickHouse copy of gridgov's operational data, organised as a star schema
and kept fresh by the ETL (` + "`gridgov etl run`" + `). Postgres remains the source of truth.

## How to read it

- **Deduplicate, then drop deleted rows.** Every table but the summaries (` + "`sum_*`" + `, below) is a
  ` + "`ReplacingMergeTree(version)`" + `:
  a row is stored again each time it changes, and ClickHouse merges the copies only
  eventually. Read with ` + "`FINAL`" + ` and keep ` + "`is_deleted = 0`" + `:

  ` + "```sql" + `
  SELECT street_name, count() AS grids
  FROM dim_grid FINAL
  WHERE is_deleted = 0
  GROUP BY street_name
  ` + "```" + `

  or, on large tables, deduplicate with ` + "`argMax(column, version)`" + ` grouped by the key
  (` + "`id`" + `, or ` + "`person_key`" + ` for ` + "`dim_person`" + `). Never sum a table without one of the two:
  updated rows would count twice.
- **Places.** Every fact carries the ids of its street, community and grid; the dimensions
  ` + "`dim_street`" + `, ` + "`dim_community`" + `, ` + "`dim_grid`" + ` and ` + "`dim_building`" + ` carry the whole path
  (ids and names) up to the city, so drilling down is one join.
- **People are pseudonymous.** Names, phone numbers, ID numbers, addresses and free text that
  may name people never leave Postgres. A person appears as a ` + "`*_key`" + ` column: a keyed hash of
  their id, the same in every table, so one person's roles and actions can be joined without
  knowing who they are. What could single a person out is coarsened (see Privacy).
- **Time.** Times are ` + "`DateTime('Asia/Shanghai')`" + `, to the second; ` + "`toDate(reported_at)`" + ` is the
  local day, which joins ` + "`dim_date.date`" + `.
- **Freshness.** ` + "`gridgov etl status`" + ` says, per table, how far the copy lags behind Postgres.
- **Statisticians** connect as the read-only ClickHouse user ` + "`statistician`" + ` with its password
  (` + "`GRIDGOV_CH_STATISTICIAN_PASSWORD`" + `: ` + "`scripts/services.sh env`" + ` prints the one generated for a
  development server; docker compose requires one), from loopback or the networks the server
  allows; or they send one SELECT to ` + "`POST /analytics/sql`" + ` with a statistician's token. ClickHouse
  bounds both: read-only (no writes, ` + "`SET`" + ` or ` + "`SETTINGS`" + `), the warehouse database only, 30 s per
  query, 100,000 result rows and 32 MB, 200 million rows or 20 GB read, 4 GB of memory, 8 queries
  at once, and an hourly quota for the account. The endpoint also refuses the ` + "`system`" + ` and
  ` + "`information_schema`" + ` databases (ClickHouse 18.16 shows every user's running queries in
  ` + "`system.processes`" + `), table functions, ` + "`FORMAT`" + ` and ` + "`INTO OUTFILE`" + `; it stops an answer at
  32 MiB, and starts a CSV cell that a spreadsheet would run as a formula (` + "`=`" + `, ` + "`+`" + `, ` + "`-`" + `,
  ` + "`@`" + `, a tab or CR) with ` + "`'`" + `.
`
