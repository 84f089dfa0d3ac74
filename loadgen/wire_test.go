package loadgen

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/dbtest"
)

// A pgx connection through a Tap: the tap sees every statement with its parameters, a batch
// as one round trip, and the statements of a transaction each in a round trip of its own;
// Describe gives the parameters as Postgres reads them, and both pgbench scripts made from
// the capture write exactly the row the client wrote.
func TestTapCapturesWhatPgbenchReplays(t *testing.T) {
	ctx := context.Background()
	url := dbtest.NewURL(t)
	direct, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close(ctx)
	if _, err := direct.Exec(ctx, `CREATE TABLE tap_rows (a bigint, b text, c timestamptz, d bigint[], e text[], f boolean,
		g numeric, h date, i jsonb, j text)`); err != nil {
		t.Fatal(err)
	}
	tap, err := NewTap(url)
	if err != nil {
		t.Fatal(err)
	}
	defer tap.Close()
	tapURL, err := tap.TapURL(url, "tap_test")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, tapURL)
	if err != nil {
		t.Fatal(err)
	}
	const insert = `INSERT INTO tap_rows VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	args := []any{int64(42), "it's HH24:MI, $1 and \\ 网格 ", time.Date(2026, 11, 27, 8, 30, 0, 123000, time.UTC),
		[]int64{1, 2, 3}, []string{"a b", `q"uote`, "网格"}, true, "12.50", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
		map[string]any{"k": []int{1}}, nil}
	// Prepared on first use; the capture starts once it is.
	if _, err := conn.Exec(ctx, insert, args...); err != nil {
		t.Fatal(err)
	}

	tap.Start()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, insert, args...); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT count(*) FROM tap_rows WHERE a = $1`, int64(42))
	b.Queue(`SELECT count(*) FROM tap_rows WHERE b = $1`, "x")
	b.Queue(`SELECT count(*) FROM tap_rows WHERE d = $1`, []int64{1})
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		t.Fatal(err)
	}
	capture, err := tap.Stop()
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	var sqls []string
	for _, s := range capture.Statements {
		sqls = append(sqls, firstLine(s.SQL))
	}
	if len(sqls) != 6 || sqls[0] != "begin" || sqls[1] != insert || sqls[2] != "commit" {
		t.Fatalf("statements %q", sqls)
	}
	// begin, insert, commit: three round trips; the batch's three statements: one, after a
	// round trip that prepared them.
	if capture.RoundTrips != 4 || capture.OtherTurns != 1 {
		t.Fatalf("round trips %d, others %d, want 4 and 1", capture.RoundTrips, capture.OtherTurns)
	}
	if last := capture.Statements[3:]; last[0].Turn != last[1].Turn || last[1].Turn != last[2].Turn {
		t.Fatalf("the batch went out in turns %d, %d, %d", last[0].Turn, last[1].Turn, last[2].Turn)
	}
	stmts, err := Describe(ctx, direct, capture.Statements[:3])
	if err != nil {
		t.Fatal(err)
	}
	if p := stmts[1].Params; len(p) != 10 || p[0].Type != "bigint" || *p[1].Text != args[1] || p[3].Type != "bigint[]" || p[9].Text != nil {
		t.Fatalf("parameters %+v", p)
	}

	oneByOne, err := OneByOne(stmts, nil)
	if err != nil {
		t.Fatal(err)
	}
	asSent, err := AsSent(stmts, "v", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, run := range []struct {
		mode string
		s    Script
	}{{"simple", Script{Text: oneByOne}}, {"prepared", asSent}} {
		path := filepath.Join(dir, run.mode+".sql")
		if err := os.WriteFile(path, []byte(run.s.Text), 0o644); err != nil {
			t.Fatal(err)
		}
		cmdArgs := []string{"-n", "-M", run.mode, "-f", path, "-t", "1", url}
		for i, v := range run.s.Values {
			cmdArgs = append(cmdArgs, "-D", fmt.Sprintf("v%d=%s", i+1, v))
		}
		if out, err := exec.Command("pgbench", cmdArgs...).CombinedOutput(); err != nil || !strings.Contains(string(out), "number of failed transactions: 0") {
			t.Fatalf("pgbench -M %s: %v\n%s\n%s", run.mode, err, out, run.s.Text)
		}
	}
	// The client's two rows and the two replays': four rows, all the same.
	var rows, distinct int
	if err := direct.QueryRow(ctx, `SELECT count(*), count(DISTINCT (a, b, c, d, e, f, g, h, i::text, j)) FROM tap_rows`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != 4 || distinct != 1 {
		t.Fatalf("%d rows, %d distinct; want 4 rows all equal", rows, distinct)
	}
}

// Keys put pgbench variables in place of the values they name, in both scripts, and only
// for integer parameters; the as-sent script names the other values by their place.
func TestKeysReplaceValues(t *testing.T) {
	text := func(s string) *string { return &s }
	stmts := []Replayable{
		{SQL: "SELECT $1, $2, $3", Params: []Param{{"bigint", text("7")}, {"text", text("7")}, {"bigint", text("8")}}, Turn: 1},
		{SQL: "SELECT $1", Params: []Param{{"bigint", text("7")}}, Turn: 1},
		{SQL: "SELECT $1, $2", Params: []Param{{"bigint[]", text("{7}")}, {"bigint[]", text("{7,8}")}}, Turn: 2},
	}
	keys := Keys{"7": "apibench_order"}
	one, err := OneByOne(stmts, keys)
	if err != nil {
		t.Fatal(err)
	}
	// Statements of one round trip of reads: in the order of their text, in both scripts.
	want := "SELECT CAST(:apibench_order AS bigint)\n;\nSELECT CAST(:apibench_order AS bigint), CAST('7' AS text), CAST('8' AS bigint)\n;\n" +
		"SELECT ARRAY[CAST(:apibench_order AS bigint)], CAST('{7,8}' AS bigint[])\n;\n"
	if one != want {
		t.Fatalf("one by one:\n%s\nwant\n%s", one, want)
	}
	sent, err := AsSent(stmts, "v", keys)
	if err != nil {
		t.Fatal(err)
	}
	want = "\\startpipeline\nSELECT CAST(:apibench_order AS bigint)\n;\n" +
		"SELECT CAST(:apibench_order AS bigint), CAST(:v1 AS text), CAST(:v2 AS bigint)\n;\n\\endpipeline\n" +
		"SELECT ARRAY[CAST(:apibench_order AS bigint)], CAST(:v3 AS bigint[])\n;\n"
	if sent.Text != want || len(sent.Values) != 3 || sent.Values[0] != "7" || sent.Values[1] != "8" || sent.Values[2] != "{7,8}" {
		t.Fatalf("as sent:\n%s%v\nwant\n%s", sent.Text, sent.Values, want)
	}
}
