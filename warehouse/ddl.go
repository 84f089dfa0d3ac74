package warehouse

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gridgov/schema"
)

// Migration is one embedded DDL file: one statement, applied once, in version order.
type Migration struct {
	Version int
	Name    string // file name without number and extension
	SQL     string // the statement as written, comments included
	// Table is the table the statement creates (Kind "create") or fills (Kind "insert").
	Table string
	Kind  string
	// Description is the leading comment of the file, the table's entry in the dictionary.
	Description string
	Columns     []Column
}

// Column is a column of a warehouse table as declared in its DDL.
type Column struct {
	Name    string
	Type    string
	Comment string
}

var (
	createRe = regexp.MustCompile(`(?m)^CREATE TABLE IF NOT EXISTS (\w+)`)
	insertRe = regexp.MustCompile(`(?m)^INSERT INTO (\w+)`)
	columnRe = regexp.MustCompile(`^\s+(\w+)\s+(.+?)\s+COMMENT\s+'((?:[^'\\]|\\.)*)',?$`)
)

// Migrations lists the embedded warehouse DDL in version order.
func Migrations() ([]Migration, error) {
	files, err := fs.Glob(schema.ClickHouse, "clickhouse/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, f := range files {
		body, err := fs.ReadFile(schema.ClickHouse, f)
		if err != nil {
			return nil, err
		}
		m, err := parseMigration(strings.TrimSuffix(strings.TrimPrefix(f, "clickhouse/"), ".sql"), string(body))
		if err != nil {
			return nil, fmt.Errorf("warehouse ddl %s: %w", f, err)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("warehouse ddl: two files numbered %d", out[i].Version)
		}
	}
	return out, nil
}

func parseMigration(base, body string) (Migration, error) {
	num, name, ok := strings.Cut(base, "_")
	version, err := strconv.Atoi(num)
	if !ok || err != nil {
		return Migration{}, fmt.Errorf("want NNNNN_name.sql")
	}
	m := Migration{Version: version, Name: name, SQL: body}
	if c := createRe.FindStringSubmatch(body); c != nil {
		m.Kind, m.Table = "create", c[1]
	} else if c := insertRe.FindStringSubmatch(body); c != nil {
		m.Kind, m.Table = "insert", c[1]
	} else {
		return m, fmt.Errorf("want one CREATE TABLE IF NOT EXISTS or INSERT INTO statement")
	}
	if statementEnds(strings.TrimRight(stripComments(body), " \n;")) > 0 {
		return m, fmt.Errorf("one statement per file: ClickHouse DDL is not transactional")
	}
	var desc []string
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, "--") {
			break
		}
		desc = append(desc, strings.TrimSpace(strings.TrimPrefix(line, "--")))
	}
	m.Description = strings.Join(desc, " ")
	if m.Kind == "create" {
		for _, line := range strings.Split(body, "\n") {
			if c := columnRe.FindStringSubmatch(line); c != nil {
				m.Columns = append(m.Columns, Column{Name: c[1], Type: c[2], Comment: unescape(c[3])})
			}
		}
		if len(m.Columns) == 0 {
			return m, fmt.Errorf("no columns found: write one `name Type COMMENT '...'` per line")
		}
	}
	return m, nil
}

// statementEnds counts the semicolons outside string literals.
func statementEnds(sql string) int {
	n, quoted := 0, false
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; {
		case c == '\\' && quoted:
			i++
		case c == '\'':
			quoted = !quoted
		case c == ';' && !quoted:
			n++
		}
	}
	return n
}

func stripComments(sql string) string {
	var b strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func unescape(s string) string {
	return strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(s)
}

// Topology says how tables are laid out: on one node, or replicated across a cluster.
type Topology struct {
	// Cluster, when set, makes every statement ON CLUSTER and every engine Replicated*.
	// Distributed tables over the local ones are then created beside them (not needed on a
	// single node).
	Cluster string
}

// The one place that names the engine of warehouse tables. DDL files say
// `ENGINE = ReplacingMergeTree(...)`; Statement rewrites that for a cluster.
const (
	replacingEngine  = "ReplacingMergeTree"
	summaryEngine    = "MergeTree"
	replicatedPrefix = "Replicated"
	replicaPath      = "'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'"
)

// Statement renders the migration for database db and topology t: the table name qualified,
// and on a cluster ON CLUSTER and the replicated engine.
func (m Migration) Statement(db string, t Topology) string {
	sql := stripComments(m.SQL)
	target := Qualified(db, m.Table)
	switch m.Kind {
	case "create":
		head := "CREATE TABLE IF NOT EXISTS " + target
		if t.Cluster != "" {
			head += " ON CLUSTER " + Quote(t.Cluster)
		}
		sql = createRe.ReplaceAllLiteralString(sql, head)
		sql = EngineFor(sql, t)
	case "insert":
		sql = insertRe.ReplaceAllLiteralString(sql, "INSERT INTO "+target)
	}
	return strings.TrimSpace(sql)
}

// EngineFor rewrites `ENGINE = ReplacingMergeTree(args)` (and the summaries' `ENGINE =
// MergeTree()`) for the topology.
func EngineFor(sql string, t Topology) string {
	if t.Cluster == "" {
		return sql
	}
	for _, engine := range []string{replacingEngine, summaryEngine} {
		from := "ENGINE = " + engine + "("
		i := strings.Index(sql, from)
		if i < 0 {
			continue
		}
		rest := sql[i+len(from):]
		args := replicaPath
		if !strings.HasPrefix(rest, ")") {
			args += ", "
		}
		return sql[:i] + "ENGINE = " + replicatedPrefix + engine + "(" + args + rest
	}
	return sql
}

// Tables lists the tables the DDL creates, with their columns, in version order.
func Tables() ([]Migration, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, m := range ms {
		if m.Kind == "create" {
			out = append(out, m)
		}
	}
	return out, nil
}

// Table returns the DDL of one table.
func Table(name string) (Migration, error) {
	ts, err := Tables()
	if err != nil {
		return Migration{}, err
	}
	for _, t := range ts {
		if t.Table == name {
			return t, nil
		}
	}
	return Migration{}, fmt.Errorf("warehouse has no table %s", name)
}
