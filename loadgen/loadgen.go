// Package loadgen drives gridgov's GraphQL API with concurrent clients and measures what
// the database underneath can do for the same work. It is a library: a scenario says what
// one request is; Run plays it from N clients for a while and reports throughput and
// latency percentiles. A Tap is a proxy in front of Postgres that records, from the wire,
// the statements a process sends and its round trips; Describe, OneByOne and AsSent turn
// such a capture into pgbench scripts that replay it. Recorder captures the SQL a pgx pool
// in this process issues, for tests. apibench/ is the API benchmark built on it; a mixed
// workload is a Scenario that picks among requests. RunPaced is the open-loop counterpart
// of Run: a weighted mix sent at a fixed rate whatever the latency, for the reliability
// suite.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
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

// Send is Do without decoding the data: it gives it as raw JSON.
func (c *Client) Send(ctx context.Context, r Request) (json.RawMessage, error) {
	status, raw, err := c.post(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		Data   json.RawMessage   `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("status %d: %.200s", status, raw)
	}
	if status != http.StatusOK || len(out.Errors) > 0 {
		return out.Data, fmt.Errorf("status %d: %.300s", status, raw)
	}
	return out.Data, nil
}

// Check sends r and reports a failed request or GraphQL errors without decoding the answer.
// Run uses it, so the load generator, which shares the machine with the server it measures,
// spends as little CPU as it can on each answer: it reads the answer whole into a reused
// buffer and checks its frame. gqlgen writes "errors" before "data", so an answer without
// errors is {"data":…}.
func (c *Client) Check(ctx context.Context, r Request) error {
	buf := answerBuffers.Get().(*bytes.Buffer)
	defer answerBuffers.Put(buf)
	status, raw, err := c.post(ctx, r, buf)
	if err != nil {
		return err
	}
	if status != http.StatusOK || !bytes.HasPrefix(raw, []byte(`{"data":`)) || !bytes.HasSuffix(raw, []byte("}")) {
		return fmt.Errorf("status %d: %.300s", status, raw)
	}
	return nil
}

var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// post sends r and gives the HTTP status and the whole body, read into buf when one is given
// (the body is then only valid until buf is reused).
func (c *Client) post(ctx context.Context, r Request, buf *bytes.Buffer) (int, []byte, error) {
	body, err := json.Marshal(map[string]any{"query": r.Query, "variables": r.Variables})
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if buf == nil {
		raw, err := io.ReadAll(resp.Body)
		return resp.StatusCode, raw, err
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes(), err
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
				err := c.Check(ctx, s.Next(ci, int(counter.Add(1))))
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

// Statement is one SQL statement with its arguments, as a pool sent it. Statements sent
// together in one round trip (a pgx batch) share a Batch number above zero.
type Statement struct {
	SQL   string
	Args  []any
	Batch int
}

// Recorder is a pgx query and batch tracer that records every statement while Recording is on.
type Recorder struct {
	mu        sync.Mutex
	on        bool
	stmts     []Statement
	batches   int
	Statement atomic.Int64 // statements seen, recording or not
	Batches   atomic.Int64 // round trips that carried several statements (pgx batches), recording or not
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

// TraceBatchStart records the statements of a batch, numbered as one round trip.
func (r *Recorder) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	r.Statement.Add(int64(d.Batch.Len()))
	r.Batches.Add(1)
	r.mu.Lock()
	if r.on {
		r.batches++
		for _, q := range d.Batch.QueuedQueries {
			r.stmts = append(r.stmts, Statement{SQL: q.SQL, Args: q.Arguments, Batch: r.batches})
		}
	}
	r.mu.Unlock()
	return ctx
}

// TraceBatchQuery does nothing.
func (r *Recorder) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd does nothing.
func (r *Recorder) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Answer is everything one request got back, for callers that judge answers themselves.
type Answer struct {
	Status int             // HTTP status; 0 when the request failed in transport
	Data   json.RawMessage // the data member, raw
	Codes  []string        // extensions.code of each GraphQL error ("" for an error without one)
	Err    error           // transport failure, or a body that is not a GraphQL answer
}

// Exchange sends r and gives the whole answer, GraphQL errors included.
func (c *Client) Exchange(ctx context.Context, r Request) Answer {
	status, raw, err := c.post(ctx, r, nil)
	a := Answer{Status: status, Err: err}
	if err != nil {
		return a
	}
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		a.Err = fmt.Errorf("status %d, not a GraphQL answer: %.200s", status, raw)
		return a
	}
	a.Data = out.Data
	for _, e := range out.Errors {
		a.Codes = append(a.Codes, e.Extensions.Code)
	}
	return a
}

// Kind is one kind of request in a fixed-rate mix: it takes Weight of every sum-of-weights
// slots (Weight > 0).
type Kind struct {
	Name   string
	Weight int
	// Together is how many requests a slot of the kind sends at the same instant, each made by
	// its own call of Next (0 means 1): rivals for one row, say.
	Together int
	// Next makes the i-th request of the kind and, if not nil, a function that is given its
	// answer (to record acknowledged writes). RunPaced calls Next from one goroutine, the
	// answer functions from many. A request without a Query is not sent: it counts as skipped.
	Next func(i int) (Request, func(Answer))
}

// Latency is the latency distribution of some requests of a fixed-rate run.
type Latency struct {
	Kind          string
	Requests      int
	Skipped       int
	P50, P99, Max time.Duration
}

func (l Latency) String() string {
	return fmt.Sprintf("%-12s %6d requests  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms", l.Kind, l.Requests, ms(l.P50), ms(l.P99), ms(l.Max))
}

// PacedResult is what a fixed-rate run measured. Latencies are per kind in the order given,
// then "all".
type PacedResult struct {
	Rate      float64       // the rate asked for, slots per second
	Sent      int           // requests sent
	Elapsed   time.Duration // from the first scheduled send to the last answer
	Achieved  float64       // requests answered per second of Elapsed
	MaxLag    time.Duration // the most a send fell behind its schedule (the generator's own lag)
	Latencies []Latency
}

// RunPaced sends the mix at rate slots per second for d, open loop: slot s is due at start +
// s/rate and its request (or Together requests) goes out then whether or not earlier ones have
// been answered, and latency runs from when it was due, so a server that falls behind is
// charged for the queue it causes (no coordinated omission). Kinds take the slots in a
// fixed, evenly spread order (smooth weighted round robin).
func RunPaced(ctx context.Context, c *Client, kinds []Kind, rate float64, d time.Duration) PacedResult {
	p := &pacer{c: c, kinds: kinds, lat: make([][]time.Duration, len(kinds)), skipped: make([]int, len(kinds)), seen: make([]int, len(kinds))}
	p.res.Rate = rate
	order := spread(kinds)
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for s := 0; time.Duration(s)*interval < d && ctx.Err() == nil; s++ {
		due := start.Add(time.Duration(s) * interval)
		time.Sleep(time.Until(due))
		p.res.MaxLag = max(p.res.MaxLag, time.Since(due))
		p.slot(ctx, order[s%len(order)], due)
	}
	p.wg.Wait()
	return p.result(time.Since(start))
}

// pacer is the state of one RunPaced.
type pacer struct {
	c             *Client
	kinds         []Kind
	mu            sync.Mutex
	wg            sync.WaitGroup
	lat           [][]time.Duration
	skipped, seen []int
	res           PacedResult
}

// slot sends the request (or requests) of a slot of kind k, due at due.
func (p *pacer) slot(ctx context.Context, k int, due time.Time) {
	for range max(1, p.kinds[k].Together) {
		req, done := p.kinds[k].Next(p.seen[k])
		p.seen[k]++
		if req.Query == "" {
			p.skipped[k]++
			continue
		}
		p.res.Sent++
		p.wg.Go(func() {
			a := p.c.Exchange(ctx, req)
			took := time.Since(due)
			if done != nil {
				done(a)
			}
			p.mu.Lock()
			p.lat[k] = append(p.lat[k], took)
			p.mu.Unlock()
		})
	}
}

func (p *pacer) result(elapsed time.Duration) PacedResult {
	res := p.res
	res.Elapsed = elapsed
	res.Achieved = float64(res.Sent) / elapsed.Seconds()
	var all []time.Duration
	for k, l := range p.lat {
		res.Latencies = append(res.Latencies, distribution(p.kinds[k].Name, l, p.skipped[k]))
		all = append(all, l...)
	}
	res.Latencies = append(res.Latencies, distribution("all", all, 0))
	return res
}

// spread gives one cycle of kind indexes, each kind Weight times, evenly interleaved.
func spread(kinds []Kind) []int {
	total := 0
	for _, k := range kinds {
		total += k.Weight
	}
	current := make([]int, len(kinds))
	order := make([]int, 0, total)
	for range total {
		best := 0
		for i, k := range kinds {
			current[i] += k.Weight
			if current[i] > current[best] {
				best = i
			}
		}
		current[best] -= total
		order = append(order, best)
	}
	return order
}

func distribution(kind string, l []time.Duration, skipped int) Latency {
	out := Latency{Kind: kind, Requests: len(l), Skipped: skipped}
	if len(l) == 0 {
		return out
	}
	slices.Sort(l)
	out.P50, out.P99, out.Max = l[len(l)*50/100], l[min(len(l)-1, len(l)*99/100)], l[len(l)-1]
	return out
}
