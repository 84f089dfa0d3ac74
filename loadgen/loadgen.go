// Package loadgen drives gridgov's GraphQL API with concurrent clients and measures what
// the database underneath can do for the same work. It is a library: a scenario says what
// one request is; Run plays it from N clients for a while and reports throughput and
// latency percentiles. Recorder captures the SQL a pool issues (for statement counts and
// for replaying it with pgbench); PgbenchScript writes captured statements as a pgbench
// script with their constants inlined. apibench/ is the API benchmark built on it; a mixed
// workload is a Scenario that picks among requests.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Request is one GraphQL operation, sent with Token as its bearer token ("": none).
type Request struct {
	Query     string
	Variables map[string]any
	Token     string
}

// Scenario makes the i-th request of client c. It must be safe for concurrent use.
type Scenario struct {
	Name string
	Next func(c, i int) Request
}

// Result is what a run measured.
type Result struct {
	Scenario    string
	Clients     int
	Requests    int
	Errors      int // transport errors, non-200 answers and GraphQL errors
	FirstError  string
	Elapsed     time.Duration
	PerSecond   float64
	P50, P99    time.Duration
	Max         time.Duration
	LatencyMean time.Duration
}

func (r Result) String() string {
	return fmt.Sprintf("%-14s c=%-3d %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  (%d requests, %d errors)",
		r.Scenario, r.Clients, r.PerSecond, ms(r.P50), ms(r.P99), r.Requests, r.Errors)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Client posts GraphQL requests to one endpoint.
type Client struct {
	URL  string
	HTTP *http.Client
}

// NewClient makes a client keeping up to conns connections open.
func NewClient(url string, conns int) *Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost, t.MaxConnsPerHost = conns, conns, conns
	return &Client{URL: url, HTTP: &http.Client{Transport: t, Timeout: 30 * time.Second}}
}

// Do sends r and returns the decoded data, or an error for a failed request or GraphQL errors.
func (c *Client) Do(ctx context.Context, r Request) (map[string]any, error) {
	raw, err := c.Send(ctx, r)
	var data map[string]any
	if len(raw) > 0 && string(raw) != "null" {
		if jerr := json.Unmarshal(raw, &data); jerr != nil && err == nil {
			err = jerr
		}
	}
	return data, err
}

// Send is Do without decoding the data: it gives it as raw JSON. Run uses it, so the load
// generator, which shares the machine with the server it measures, spends as little CPU as
// it can on each answer (it still reads it whole and checks it for errors).
func (c *Client) Send(ctx context.Context, r Request) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{"query": r.Query, "variables": r.Variables})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var out struct {
		Data   json.RawMessage   `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("status %d: %.200s", resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK || len(out.Errors) > 0 {
		return out.Data, fmt.Errorf("status %d: %.300s", resp.StatusCode, raw)
	}
	return out.Data, nil
}

// Run plays s from clients concurrent clients for d (after a warm-up of warm, not counted).
func Run(ctx context.Context, c *Client, s Scenario, clients int, warm, d time.Duration) Result {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      atomic.Int64
		firstErr  atomic.Value
		counter   atomic.Int64
	)
	start := time.Now()
	measureFrom, stop := start.Add(warm), start.Add(warm+d)
	var wg sync.WaitGroup
	for ci := range clients {
		wg.Go(func() {
			local := make([]time.Duration, 0, 1024)
			for ctx.Err() == nil {
				began := time.Now()
				if !began.Before(stop) {
					break
				}
				_, err := c.Send(ctx, s.Next(ci, int(counter.Add(1))))
				took := time.Since(began)
				if began.Before(measureFrom) {
					continue
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
				local = append(local, took)
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)
	if elapsed > d {
		// The last requests end after the deadline; they were counted, so count their time.
		elapsed = max(d, elapsed)
	}
	r := Result{Scenario: s.Name, Clients: clients, Requests: len(latencies), Errors: int(errs.Load()), Elapsed: elapsed}
	if v, ok := firstErr.Load().(string); ok {
		r.FirstError = v
	}
	if len(latencies) > 0 {
		slices.Sort(latencies)
		r.PerSecond = float64(len(latencies)) / elapsed.Seconds()
		r.P50 = latencies[len(latencies)*50/100]
		r.P99 = latencies[min(len(latencies)-1, len(latencies)*99/100)]
		r.Max = latencies[len(latencies)-1]
		var sum time.Duration
		for _, l := range latencies {
			sum += l
		}
		r.LatencyMean = sum / time.Duration(len(latencies))
	}
	return r
}

// Statement is one SQL statement with its arguments, as a pool sent it.
type Statement struct {
	SQL  string
	Args []any
}

// Recorder is a pgx QueryTracer that records every statement while Recording is on.
type Recorder struct {
	mu        sync.Mutex
	on        bool
	stmts     []Statement
	Statement atomic.Int64 // statements seen, recording or not
}

// Start clears the record and starts recording.
func (r *Recorder) Start() {
	r.mu.Lock()
	r.stmts, r.on = nil, true
	r.mu.Unlock()
}

// Stop stops recording and gives what was recorded.
func (r *Recorder) Stop() []Statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.stmts
}

// TraceQueryStart records a statement.
func (r *Recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.Statement.Add(1)
	r.mu.Lock()
	if r.on {
		r.stmts = append(r.stmts, Statement{SQL: d.SQL, Args: d.Args})
	}
	r.mu.Unlock()
	return ctx
}

// TraceQueryEnd does nothing.
func (r *Recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// PgbenchScript writes statements as a pgbench script: each statement on its own, ended by
// a semicolon, with its arguments inlined as SQL literals (pgbench's simple protocol then
// parses and plans them as the server does for the API's prepared statements).
func PgbenchScript(stmts []Statement) (string, error) {
	var b strings.Builder
	for _, s := range stmts {
		sql := s.SQL
		// Replace from the highest placeholder down, so $1 does not eat into $10.
		for i := len(s.Args); i >= 1; i-- {
			lit, err := literal(s.Args[i-1])
			if err != nil {
				return "", fmt.Errorf("statement %q arg %d: %w", firstLine(sql), i, err)
			}
			sql = strings.ReplaceAll(sql, "$"+strconv.Itoa(i), lit)
		}
		sql = strings.Join(strings.Fields(sql), " ")
		b.WriteString(sql)
		b.WriteString(";\n")
	}
	return b.String(), nil
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// literal renders one argument as a typed SQL literal.
func literal(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case int:
		return "(" + strconv.Itoa(x) + ")", nil
	case int32:
		return "(" + strconv.FormatInt(int64(x), 10) + ")", nil
	case int64:
		return "(" + strconv.FormatInt(x, 10) + ")", nil
	case *int64:
		if x == nil {
			return "NULL", nil
		}
		return literal(*x)
	case float64:
		return "(" + strconv.FormatFloat(x, 'g', -1, 64) + ")::float8", nil
	case bool:
		return strconv.FormatBool(x), nil
	case string:
		return quote(x) + "::text", nil
	case *string:
		if x == nil {
			return "NULL", nil
		}
		return literal(*x)
	case time.Time:
		return quote(x.Format(time.RFC3339Nano)) + "::timestamptz", nil
	case []int64:
		parts := make([]string, len(x))
		for i, n := range x {
			parts[i] = strconv.FormatInt(n, 10)
		}
		return quote("{"+strings.Join(parts, ",")+"}") + "::bigint[]", nil
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
		}
		return quote("{"+strings.Join(parts, ",")+"}") + "::text[]", nil
	}
	return "", fmt.Errorf("no literal for %T", v)
}
