package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/loadgen"
)

// What a build sends Postgres for each class, seen at the wire: the build's server runs with
// its database URL pointing at a loadgen.Tap, and the class's sample requests are sent one
// at a time, so that everything the tap records between two answers belongs to one request.

// classCapture is what one build sent for one class's sample requests.
type classCapture struct {
	Samples    int     `json:"samples"`
	Statements float64 `json:"statements_per_request"`  // mean over the samples
	RoundTrips float64 `json:"round_trips_per_request"` // round trips that carried statements
	OtherTurns float64 `json:"other_round_trips"`       // round trips without statements (preparing them), per request
	Conns      float64 `json:"connections_per_request"` // connections its statements went over (side by side or in turn)
	// The pgbench scripts that replay the samples: one by one, a script per sample; as sent,
	// a script per shape (the samples that sent the same statements in the same round trips),
	// weighted by its number of samples.
	OneByOne []string   `json:"one_by_one_scripts"`
	AsSent   []weighted `json:"as_sent_scripts"`
	claim    *claimable // the claim replayed, for the claim class
}

type weighted struct {
	Path   string `json:"path"`
	Weight int    `json:"weight"`
	id     string // the script's rows in apibench_values
}

// capturer sends sample requests to a server whose database traffic goes through tap.
type capturer struct {
	client *loadgen.Client
	tap    *loadgen.Tap
	conn   *pgx.Conn     // a direct connection: describes the statements' parameters, stores their values
	pool   *pgxpool.Pool // the same database: publishes the claim class's orders
	dir    string        // where the scripts go
}

// capture runs the class's distinct requests once to warm the server's connections
// (statements prepared, pool grown), then once more one at a time under the tap.
func (cp capturer) capture(ctx context.Context, build string, c *class) (*classCapture, error) {
	samples := c.distinct
	if c.claims != nil {
		if err := c.claims.refill(ctx, cp.pool, 2); err != nil {
			return nil, err
		}
	}
	for i := range samples {
		if err := cp.answer(ctx, c, samples+i); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
	}
	out := &classCapture{Samples: samples}
	var sent []loadgen.Script
	for i := range samples {
		cp.tap.Start()
		err := cp.answer(ctx, c, i)
		got, tapErr := cp.tap.Stop()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		if tapErr != nil {
			return nil, tapErr
		}
		if len(got.Statements) == 0 {
			return nil, fmt.Errorf("%s: the tap saw no statement: does the server connect through it?", c.name)
		}
		out.Statements += float64(len(got.Statements)) / float64(samples)
		out.RoundTrips += float64(got.RoundTrips) / float64(samples)
		out.OtherTurns += float64(got.OtherTurns) / float64(samples)
		out.Conns += float64(connections(got.Statements)) / float64(samples)
		s, err := cp.oneByOne(ctx, out, build, c, i, got)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		sent = append(sent, s)
	}
	if err := cp.asSent(ctx, out, build, c, sent); err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	if c.claims != nil {
		o := c.claims.get(0)
		out.claim = &o
	}
	return out, nil
}

// connections counts the connections statements went over.
func connections(stmts []loadgen.WireStatement) int {
	seen := map[int64]bool{}
	for _, s := range stmts {
		seen[s.Conn] = true
	}
	return len(seen)
}

// answer sends request i of the class and checks its answer.
func (cp capturer) answer(ctx context.Context, c *class, i int) error {
	data, err := cp.client.Do(ctx, c.request(i))
	if err != nil {
		return err
	}
	return c.check(data)
}

// oneByOne writes sample i's one-by-one script and gives its as-sent form.
func (cp capturer) oneByOne(ctx context.Context, out *classCapture, build string, c *class, i int, got loadgen.Capture) (loadgen.Script, error) {
	stmts, err := loadgen.Describe(ctx, cp.conn, got.Statements)
	if err != nil {
		return loadgen.Script{}, err
	}
	var keys loadgen.Keys
	prelude := ""
	if c.keys != nil {
		keys = c.keys(i)
		prelude = claimPrelude
	}
	one, err := loadgen.OneByOne(stmts, keys)
	if err != nil {
		return loadgen.Script{}, err
	}
	path := filepath.Join(cp.dir, fmt.Sprintf("%s-%s-%d.one-by-one.sql", slug(build), c.id, i+1))
	if err := os.WriteFile(path, []byte(prelude+one), 0o644); err != nil {
		return loadgen.Script{}, err
	}
	out.OneByOne = append(out.OneByOne, path)
	return loadgen.AsSent(stmts, valuePrefix, keys)
}

// valuePrefix names the as-sent scripts' variables.
const valuePrefix = "apibench_v"

// asSent writes a script per shape of the samples' as-sent forms. Each of its transactions
// first picks one of its samples at random and reads that sample's values into its
// variables (one primary-key read of apibench_values, \gset), so that every sample shares
// the same prepared statements, as the server's requests share its pgx statement cache;
// a script per sample would prepare each statement once per sample and connection and
// replay mostly Postgres's first, custom plans.
func (cp capturer) asSent(ctx context.Context, out *classCapture, build string, c *class, sent []loadgen.Script) error {
	var shapes []string
	byShape := map[string][][]string{}
	for _, s := range sent {
		if _, ok := byShape[s.Text]; !ok {
			shapes = append(shapes, s.Text)
		}
		byShape[s.Text] = append(byShape[s.Text], s.Values)
	}
	for n, text := range shapes {
		values := byShape[text]
		id := shapeID(c.id, text, values)
		if err := storeValues(ctx, cp.conn, id, values); err != nil {
			return err
		}
		prelude := lookup(id, len(values), len(values[0]))
		if c.keys != nil {
			prelude += claimPrelude
		}
		path := filepath.Join(cp.dir, fmt.Sprintf("%s-%s-shape%d.as-sent.sql", slug(build), c.id, n+1))
		if err := os.WriteFile(path, []byte(prelude+text), 0o644); err != nil {
			return err
		}
		out.AsSent = append(out.AsSent, weighted{Path: path, Weight: len(values), id: id})
	}
	return nil
}

// shapeID names a shape's rows in apibench_values by what they hold, so that two builds
// that sent the same statements with the same values share them.
func shapeID(class, text string, values [][]string) string {
	h := sha256.New()
	h.Write([]byte(text))
	for _, vs := range values {
		for _, v := range vs {
			fmt.Fprintf(h, "%d:%s", len(v), v)
		}
		h.Write([]byte{0})
	}
	return class + "-" + hex.EncodeToString(h.Sum(nil))[:16]
}

// valuesDDL holds the as-sent scripts' values: row k of a shape is its k-th sample's.
const valuesDDL = `CREATE UNLOGGED TABLE IF NOT EXISTS apibench_values (
	script text NOT NULL, k int NOT NULL, v text[] NOT NULL, PRIMARY KEY (script, k))`

func storeValues(ctx context.Context, conn *pgx.Conn, id string, values [][]string) error {
	if _, err := conn.Exec(ctx, valuesDDL); err != nil {
		return fmt.Errorf("apibench_values: %w", err)
	}
	if _, err := conn.Exec(ctx, `DELETE FROM apibench_values WHERE script = $1`, id); err != nil {
		return err
	}
	for k, vs := range values {
		if _, err := conn.Exec(ctx, `INSERT INTO apibench_values (script, k, v) VALUES ($1, $2, $3)`, id, k+1, vs); err != nil {
			return fmt.Errorf("apibench_values: %w", err)
		}
	}
	return nil
}

// lookup is the start of an as-sent script: pick a sample, read its values.
func lookup(id string, samples, vars int) string {
	if vars == 0 {
		return ""
	}
	cols := make([]string, vars)
	for i := range cols {
		cols[i] = fmt.Sprintf("v[%d] AS %s%d", i+1, valuePrefix, i+1)
	}
	return fmt.Sprintf("\\set apibench_k random(1, %d)\nSELECT %s FROM apibench_values WHERE script = '%s' AND k = :apibench_k \\gset\n",
		samples, strings.Join(cols, ", "), id)
}

// claimPrelude gives each transaction of a claim's replay an order of its own: client c's
// t-th transaction claims order apibench_lo + c + clients × t of a supply published in the
// captured order's grid with consecutive ids (pgbench keeps a client's variables from one
// transaction to the next; the run starts them with -D).
const claimPrelude = `\set apibench_order :apibench_lo + :client_id + :apibench_clients * :apibench_i
\set apibench_i :apibench_i + 1
`

// slug makes a label fit for a file name.
func slug(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, s)
}
