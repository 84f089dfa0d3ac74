package loadgen

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgproto3"
)

// A Tap is a loopback proxy in front of Postgres that records, from the frontend protocol
// itself, what its clients execute: every statement with its bound parameters, and which
// statements went out in one round trip. A process whose database URL names the tap (TapURL)
// is observed from outside, whatever driver, pool, batching or pipelining it uses, and
// without any setting or privilege on the Postgres side.
//
// A round trip (a turn) starts when a client sends a message after it may have waited for an
// answer (it sent Sync, Flush or a simple Query) and the server has answered since; so the
// statements of a pipeline or batch that ends in one Sync share a turn, and so do several
// syncs written before any answer came back. The tap decodes what clients send and only
// forwards what servers answer; it needs a connection without TLS.
type Tap struct {
	ln      net.Listener
	target  string // "tcp" address or unix socket path of Postgres
	network string

	turns atomic.Int64
	conns atomic.Int64
	wg    sync.WaitGroup

	mu        sync.Mutex
	on        bool
	stmts     []WireStatement
	begun     map[int64]bool // turns begun while recording
	pings     int
	decodeErr error
}

// WireStatement is one statement a client executed through a Tap.
type WireStatement struct {
	SQL     string
	OIDs    []uint32 // parameter types the client declared when it prepared the statement (0 or absent: left to the server)
	Formats []int16  // per parameter: 0 text, 1 binary
	Values  [][]byte // per parameter; nil is NULL
	Simple  bool     // sent as a simple Query message, without parameters
	Conn    int64    // the client connection, numbered from 1
	Turn    int64    // the round trip that carried it
}

// Capture is what a Tap recorded between Start and Stop.
type Capture struct {
	Statements []WireStatement
	RoundTrips int // round trips that carried at least one statement
	OtherTurns int // round trips without a statement: preparing statements, mostly
	Pings      int // pool health checks ("-- ping"), left out of Statements
}

// NewTap listens on a free loopback port and forwards every connection to the Postgres
// server that pgURL names.
func NewTap(pgURL string) (*Tap, error) {
	network, target, err := postgresAddr(pgURL)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &Tap{ln: ln, network: network, target: target}
	t.wg.Go(t.accept)
	return t, nil
}

// postgresAddr gives the network and address of the server a Postgres URL names.
func postgresAddr(pgURL string) (network, addr string, err error) {
	u, err := url.Parse(pgURL)
	if err != nil {
		return "", "", fmt.Errorf("tap: %w", err)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = u.Query().Get("host")
	}
	if port == "" {
		port = "5432"
	}
	if strings.HasPrefix(host, "/") {
		return "unix", fmt.Sprintf("%s/.s.PGSQL.%s", host, port), nil
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return "tcp", net.JoinHostPort(host, port), nil
}

// TapURL gives pgURL with its server replaced by the tap, TLS off (the tap decodes the
// protocol) and application_name set to app when app is not empty.
func (t *Tap) TapURL(pgURL, app string) (string, error) {
	u, err := url.Parse(pgURL)
	if err != nil {
		return "", err
	}
	u.Host = t.ln.Addr().String()
	q := u.Query()
	q.Del("host")
	q.Set("sslmode", "disable")
	if app != "" {
		q.Set("application_name", app)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Close stops accepting connections and waits until every proxied connection has ended.
func (t *Tap) Close() error {
	err := t.ln.Close()
	t.wg.Wait()
	return err
}

// Start clears the record and starts recording.
func (t *Tap) Start() {
	t.mu.Lock()
	t.on, t.stmts, t.begun, t.pings = true, nil, map[int64]bool{}, 0
	t.mu.Unlock()
}

// Stop stops recording and gives what was recorded, or the first message the tap could not
// decode since it was created.
func (t *Tap) Stop() (Capture, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.on = false
	c := Capture{Statements: t.stmts, Pings: t.pings}
	carried := map[int64]bool{}
	for _, s := range t.stmts {
		carried[s.Turn] = true
	}
	c.RoundTrips = len(carried)
	for turn := range t.begun {
		if !carried[turn] {
			c.OtherTurns++
		}
	}
	return c, t.decodeErr
}

func (t *Tap) accept() {
	for {
		client, err := t.ln.Accept()
		if err != nil {
			return
		}
		t.wg.Go(func() { t.serve(client) })
	}
}

// serve proxies one client connection until either side closes it.
func (t *Tap) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial(t.network, t.target)
	if err != nil {
		return
	}
	defer server.Close()
	c := &tapConn{tap: t, id: t.conns.Add(1), statements: map[string]*parsed{}, portals: map[string]*bound{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.answers(client, server)
	}()
	c.requests(client, server)
	server.Close()
	client.Close()
	<-done
}

// tapConn is the decoding state of one proxied connection.
type tapConn struct {
	tap *Tap
	id  int64

	startup  bool // past the untyped start-up messages
	turn     int64
	mayWait  bool        // the last message let the client wait for an answer
	answered atomic.Bool // the server sent something since the client last could wait
	opaque   bool        // TLS or a protocol the tap does not know: forward only

	statements map[string]*parsed
	portals    map[string]*bound
}

type parsed struct {
	sql  string
	oids []uint32
}

type bound struct {
	stmt    *parsed
	formats []int16
	values  [][]byte
}

// answers forwards what the server sends, noting that it answered.
func (c *tapConn) answers(client, server net.Conn) {
	buf := make([]byte, 64<<10)
	for {
		n, err := server.Read(buf)
		if n > 0 {
			c.answered.Store(true)
			if _, werr := client.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// requests decodes and forwards what the client sends.
func (c *tapConn) requests(client, server net.Conn) {
	buf := make([]byte, 64<<10)
	var pending []byte
	for {
		n, err := client.Read(buf)
		if n > 0 {
			if !c.opaque {
				pending = append(pending, buf[:n]...)
				var waits bool
				pending, waits = c.decode(pending)
				if waits {
					// Whatever the server sends from here on answers this chunk.
					c.answered.Store(false)
				}
			}
			if _, werr := server.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// decode consumes every complete message at the start of b and gives the rest; waits
// reports whether one of them let the client wait for an answer.
func (c *tapConn) decode(b []byte) (rest []byte, waits bool) {
	for !c.opaque {
		if !c.startup {
			if len(b) < 8 {
				break
			}
			n := int(binary.BigEndian.Uint32(b))
			if n < 8 || n > 1<<20 {
				c.fail(fmt.Errorf("start-up message of %d bytes", n))
				break
			}
			if len(b) < n {
				break
			}
			code := binary.BigEndian.Uint32(b[4:8])
			switch {
			case code == 80877103: // SSLRequest: the server's one-byte answer is read by the client.
			case code == 80877104: // GSSENCRequest: likewise.
			case code>>16 == 3: // StartupMessage, protocol 3.x: typed messages follow.
				c.startup = true
			default: // CancelRequest, or something the tap does not know.
				c.opaque = true
			}
			b = b[n:]
			continue
		}
		if len(b) < 5 {
			break
		}
		n := int(binary.BigEndian.Uint32(b[1:5]))
		if n < 4 {
			c.fail(fmt.Errorf("message %q of length %d", b[0], n))
			break
		}
		if len(b) < 1+n {
			break
		}
		if c.message(b[0], b[5:1+n]) {
			waits = true
		}
		b = b[1+n:]
	}
	if c.opaque {
		return nil, waits
	}
	// Keep the partial message in a buffer of its own, so the caller's can be reused.
	return append([]byte(nil), b...), waits
}

func (c *tapConn) fail(err error) {
	c.opaque = true
	c.tap.mu.Lock()
	if c.tap.decodeErr == nil {
		c.tap.decodeErr = fmt.Errorf("tap: connection %d: %w", c.id, err)
	}
	c.tap.mu.Unlock()
}

// message handles one typed frontend message; it reports whether the client may wait for
// an answer after it.
func (c *tapConn) message(typ byte, body []byte) bool {
	if c.mayWait && c.answered.Load() || c.turn == 0 {
		c.turn = c.tap.turns.Add(1)
		c.mayWait = false
		c.answered.Store(false)
		c.tap.begin(c.turn)
	}
	switch typ {
	case 'P':
		var m pgproto3.Parse
		if err := m.Decode(body); err != nil {
			c.fail(err)
			return false
		}
		c.statements[m.Name] = &parsed{sql: m.Query, oids: append([]uint32(nil), m.ParameterOIDs...)}
	case 'B':
		var m pgproto3.Bind
		if err := m.Decode(body); err != nil {
			c.fail(err)
			return false
		}
		stmt, ok := c.statements[m.PreparedStatement]
		if !ok {
			c.fail(fmt.Errorf("bind to unknown statement %q", m.PreparedStatement))
			return false
		}
		values := make([][]byte, len(m.Parameters))
		for i, v := range m.Parameters {
			if v != nil {
				values[i] = append([]byte{}, v...)
			}
		}
		c.portals[m.DestinationPortal] = &bound{stmt: stmt, formats: paramFormats(m.ParameterFormatCodes, len(values)), values: values}
	case 'E':
		var m pgproto3.Execute
		if err := m.Decode(body); err != nil {
			c.fail(err)
			return false
		}
		p, ok := c.portals[m.Portal]
		if !ok {
			c.fail(fmt.Errorf("execute of unknown portal %q", m.Portal))
			return false
		}
		c.tap.record(WireStatement{SQL: p.stmt.sql, OIDs: p.stmt.oids, Formats: p.formats, Values: p.values, Conn: c.id, Turn: c.turn})
	case 'C':
		var m pgproto3.Close
		if err := m.Decode(body); err != nil {
			c.fail(err)
			return false
		}
		if m.ObjectType == 'S' {
			delete(c.statements, m.Name)
		} else {
			delete(c.portals, m.Name)
		}
	case 'Q':
		var m pgproto3.Query
		if err := m.Decode(body); err != nil {
			c.fail(err)
			return false
		}
		c.tap.record(WireStatement{SQL: m.String, Simple: true, Conn: c.id, Turn: c.turn})
		c.mayWait = true
		return true
	case 'S', 'H':
		c.mayWait = true
		return true
	case 'X':
		c.opaque = true
	case 'd', 'c', 'f': // COPY data from the client: no statement, no answer awaited.
	}
	return false
}

// paramFormats spreads a Bind's format codes over its n parameters: none means all text,
// one applies to all.
func paramFormats(codes []int16, n int) []int16 {
	out := make([]int16, n)
	switch len(codes) {
	case 0:
	case 1:
		for i := range out {
			out[i] = codes[0]
		}
	default:
		copy(out, codes)
	}
	return out
}

func (t *Tap) begin(turn int64) {
	t.mu.Lock()
	if t.on {
		t.begun[turn] = true
	}
	t.mu.Unlock()
}

func (t *Tap) record(s WireStatement) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.on {
		return
	}
	if s.Simple && strings.TrimSpace(s.SQL) == "-- ping" {
		t.pings++
		return
	}
	t.stmts = append(t.stmts, s)
}
