// Package config reads gridgov's configuration from environment variables. Each variable is
// declared once, in (*Config).settings: its name, default, meaning, whether it is secret, and
// the field of Config it is read into (whose kind parses and checks the text). Reading, the
// message for a bad value, `gridgov config` and the README's table all come from that one
// entry. Every variable has a default, so a bare `gridgov serve` works against local
// services; a bad value fails at start with a message naming the variable.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"
)

// DevSecret signs tokens in development mode when GRIDGOV_JWT_SECRET is unset. It is public
// (it is in this file): production mode never uses it.
const DevSecret = "gridgov-development-secret-not-for-production"

// The values of GRIDGOV_METRICS_LISTEN that are not addresses.
const (
	MetricsOnAPI = "api" // /metrics on GRIDGOV_LISTEN, beside the API
	MetricsOff   = "off" // no /metrics
)

// The values of GRIDGOV_SCHEDULER.
const (
	SchedulerInServe  = "serve"  // in `gridgov serve` and `gridgov worker`
	SchedulerInWorker = "worker" // in `gridgov worker` only
)

// Config is the effective configuration.
type Config struct {
	PGURL           string
	PGMaxConns      int
	PGReadURL       string        // a streaming replica for the API's reads; empty: none
	PGReadMaxLag    time.Duration // replica lag above which reads go to the primary
	CHAddr          string
	CHDatabase      string
	CHUser          string
	CHPassword      string
	CHCluster       string
	CHStatPassword  string
	PseudonymKey    string
	Listen          string
	MetricsListen   string
	DebugListen     string
	LogLevel        string
	ShutdownTimeout time.Duration
	MemoryLimit     int64 // soft memory limit of `gridgov serve`, in bytes
	Scheduler       string
	SchedulerEvery  time.Duration
	Mode            string
	JWTAlg          string
	JWTSecret       string
	JWTPublicKey    string
	JWTPrivateKey   string
	JWTAudience     string
	JWTIssuer       string
	JWTLeeway       time.Duration
	MaxBodyBytes    int64
	MaxDepth        int
	MaxComplexity   int
	MaxTokens       int
	MaxFields       int
	RequestTimeout  time.Duration
	RateLimit       float64
	RateBurst       int
	APQCache        int
	AllowList       string
	CORSOrigins     []string
	// WebhookAllow are the private, loopback or link-local networks webhooks may reach.
	WebhookAllow []netip.Prefix

	// Realtime: what subscribers may hold, and how long webhook deliveries are tried.
	RealtimePerConnection int
	RealtimePerToken      int
	RealtimeBuffer        int
	WebhookRetryWindow    time.Duration
	WebhookDisableAfter   int

	// Evidence: where its bytes are kept, and how large an upload may be.
	EvidenceDir      string
	EvidenceS3URL    string
	EvidenceS3Region string
	EvidenceS3Access string
	EvidenceS3Secret string
	MaxFileBytes     int64
	MaxFiles         int

	// Connection limits of the API's listener.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
}

// A setting is one environment variable, declared once.
type setting struct {
	name   string
	def    string // the value when the variable is unset or empty
	dev    string // the default in development mode, where it differs from def
	secret bool   // `gridgov config` masks the value
	help   string
	value  value // the field of Config the variable is read into
}

// settings declares every variable gridgov reads, in the order `gridgov config` and the
// README list them, each bound to its field of c.
func (c *Config) settings() []setting {
	return []setting{
		{name: "GRIDGOV_PG_URL", def: "postgres://postgres@127.0.0.1:5432/gridgov?sslmode=disable", secret: true, help: "Postgres connection URL (operational store)", value: postgresURL{&c.PGURL}},
		{name: "GRIDGOV_PG_MAX_CONNS", def: "16", help: "maximum connections in the Postgres pool", value: positive[int]{&c.PGMaxConns}},
		{name: "GRIDGOV_PG_READ_URL", secret: true, help: "a streaming read replica of GRIDGOV_PG_URL: the API's reads go there while its lag is within GRIDGOV_PG_READ_MAX_LAG, except those after a write of the same request (empty: every read to the primary)", value: text{&c.PGReadURL}},
		{name: "GRIDGOV_PG_READ_MAX_LAG", def: "5s", help: "replica lag beyond which the API reads from the primary", value: duration{&c.PGReadMaxLag, true}},
		{name: "GRIDGOV_CH_ADDR", def: "127.0.0.1:9000", help: "ClickHouse native-protocol address (warehouse); on a cluster every node's, comma-separated, tried in order", value: text{&c.CHAddr}},
		{name: "GRIDGOV_CH_DATABASE", def: "gridgov", help: "ClickHouse database of the warehouse", value: text{&c.CHDatabase}},
		{name: "GRIDGOV_CH_USER", def: "default", help: "ClickHouse user for the ETL and indicators", value: text{&c.CHUser}},
		{name: "GRIDGOV_CH_PASSWORD", secret: true, help: "ClickHouse password", value: text{&c.CHPassword}},
		{name: "GRIDGOV_CH_STATISTICIAN_PASSWORD", secret: true, help: "password of the read-only ClickHouse user statistician (POST /analytics/sql)", value: text{&c.CHStatPassword}},
		{name: "GRIDGOV_CH_CLUSTER", help: "ClickHouse cluster of the warehouse (remote_servers; <name>_all is its one-shard twin): local replicated tables on every node of GRIDGOV_CH_ADDR, Distributed tables over them (empty: one node)", value: text{&c.CHCluster}},
		{name: "GRIDGOV_PSEUDONYM_KEY", secret: true, help: "key of the warehouse's pseudonymous person keys (development mode has a built-in one)", value: text{&c.PseudonymKey}},
		{name: "GRIDGOV_LISTEN", def: "127.0.0.1:8080", help: "address `gridgov serve` listens on", value: text{&c.Listen}},
		{name: "GRIDGOV_METRICS_LISTEN", def: "127.0.0.1:9091", dev: MetricsOnAPI, help: "where /metrics is served, without a token: an address of its own (keep it on loopback or a private network), `api` for GRIDGOV_LISTEN beside the API, or `off`", value: metricsListen{&c.MetricsListen}},
		{name: "GRIDGOV_DEBUG_LISTEN", help: "serve Go's profiler (/debug/pprof/) on this address; keep it on loopback (off when empty)", value: text{&c.DebugListen}},
		{name: "GRIDGOV_LOG_LEVEL", def: "info", help: "log level: debug, info, warn, error", value: oneOf{&c.LogLevel, []string{"debug", "info", "warn", "error"}}},
		{name: "GRIDGOV_SHUTDOWN_TIMEOUT", def: "15s", help: "how long shutdown waits for in-flight work", value: duration{&c.ShutdownTimeout, false}},
		{name: "GRIDGOV_MEMORY_LIMIT", def: "180MiB", help: "soft memory limit of `gridgov serve`, in B, KiB, MiB or GiB; its garbage collector runs at GOGC=400 under it. When GOGC or GOMEMLIMIT is set, serve leaves the collector to them", value: byteSize{&c.MemoryLimit}},
		{name: "GRIDGOV_SCHEDULER", def: SchedulerInServe, help: "where the issue register's time-driven steps (warnings, automatic escalation) run: `serve` in every `gridgov serve` and `gridgov worker` (one process at a time leads, elected through Postgres), or `worker` in `gridgov worker` only", value: oneOf{&c.Scheduler, []string{SchedulerInServe, SchedulerInWorker}}},
		{name: "GRIDGOV_SCHEDULER_INTERVAL", def: "30s", help: "how often the leading scheduler runs the time-driven steps", value: duration{&c.SchedulerEvery, false}},
		{name: "GRIDGOV_READ_HEADER_TIMEOUT", def: "5s", help: "how long a client may take to send a request's headers; the connection is closed then", value: duration{&c.ReadHeaderTimeout, false}},
		{name: "GRIDGOV_READ_TIMEOUT", def: "30s", help: "how long a client may take to send a whole request, headers and body; a slower body is cut off", value: duration{&c.ReadTimeout, false}},
		{name: "GRIDGOV_WRITE_TIMEOUT", def: "1m", help: "how long one answer may take, from the end of its request's headers to its last byte; longer than GRIDGOV_REQUEST_TIMEOUT (POST /analytics/sql streams for up to 10m)", value: duration{&c.WriteTimeout, false}},
		{name: "GRIDGOV_IDLE_TIMEOUT", def: "2m", help: "how long an idle keep-alive connection stays open", value: duration{&c.IdleTimeout, false}},
		{name: "GRIDGOV_MAX_HEADER_BYTES", def: "65536", help: "largest request line and headers, in bytes (a GET query travels in the request line)", value: positive[int]{&c.MaxHeaderBytes}},
		{name: "GRIDGOV_MODE", def: "production", help: "production, or development (GraphiQL, introspection, a built-in token secret)", value: oneOf{&c.Mode, []string{"production", "development"}}},
		{name: "GRIDGOV_JWT_ALG", def: "HS256", help: "token signature algorithm: HS256, RS256 or ES256", value: text{&c.JWTAlg}},
		{name: "GRIDGOV_JWT_SECRET", dev: DevSecret, secret: true, help: "HS256 secret, at least 32 bytes", value: text{&c.JWTSecret}},
		{name: "GRIDGOV_JWT_PUBLIC_KEY_FILE", help: "PEM public key for RS256/ES256", value: text{&c.JWTPublicKey}},
		{name: "GRIDGOV_JWT_PRIVATE_KEY_FILE", help: "PEM private key for RS256/ES256, only to issue tokens", value: text{&c.JWTPrivateKey}},
		{name: "GRIDGOV_JWT_AUDIENCE", def: "gridgov", help: "audience tokens must name", value: text{&c.JWTAudience}},
		{name: "GRIDGOV_JWT_ISSUER", def: "gridgov", help: "issuer tokens must name", value: text{&c.JWTIssuer}},
		{name: "GRIDGOV_JWT_LEEWAY", def: "30s", help: "clock skew tolerated on token times", value: duration{&c.JWTLeeway, true}},
		{name: "GRIDGOV_MAX_BODY_BYTES", def: "65536", help: "largest GraphQL request body, in bytes (BODY_LIMIT beyond)", value: positive[int64]{&c.MaxBodyBytes}},
		{name: "GRIDGOV_MAX_DEPTH", def: "12", help: "deepest nesting of fields a GraphQL operation may select (DEPTH_LIMIT beyond)", value: positive[int]{&c.MaxDepth}},
		{name: "GRIDGOV_MAX_COMPLEXITY", def: "50000", help: "highest cost of a GraphQL operation; a connection costs its page size times its children (COMPLEXITY_LIMIT beyond)", value: positive[int]{&c.MaxComplexity}},
		{name: "GRIDGOV_MAX_TOKENS", def: "2000", help: "most lexical tokens (names, punctuation, values, comments) a GraphQL document may hold; checked before it is parsed (COMPLEXITY_LIMIT beyond)", value: positive[int]{&c.MaxTokens}},
		{name: "GRIDGOV_MAX_FIELDS", def: "200", help: "most fields (aliases included), fragment spreads, inline fragments, arguments, directives and variable definitions a GraphQL document may hold, each fragment definition counted once; checked before validation (COMPLEXITY_LIMIT beyond)", value: positive[int]{&c.MaxFields}},
		{name: "GRIDGOV_REQUEST_TIMEOUT", def: "10s", help: "how long one GraphQL request may run; its database queries are cancelled then (TIMEOUT)", value: duration{&c.RequestTimeout, false}},
		{name: "GRIDGOV_RATE_LIMIT", def: "20", help: "GraphQL requests per second per token (subject and role), 0 for no limit (RATE_LIMITED beyond)", value: rate{&c.RateLimit}},
		{name: "GRIDGOV_RATE_BURST", def: "40", help: "requests a token may make at once above the rate", value: positive[int]{&c.RateBurst}},
		{name: "GRIDGOV_APQ_CACHE", def: "1000", help: "queries kept by the automatic persisted query cache", value: positive[int]{&c.APQCache}},
		{name: "GRIDGOV_ALLOWLIST", help: "serve only the operations registered in this file (JSON manifest) or directory (*.graphql): allow-list mode", value: text{&c.AllowList}},
		{name: "GRIDGOV_CORS_ORIGINS", help: "comma-separated origins allowed to call the API from a browser (empty: none)", value: origins{&c.CORSOrigins}},
		{name: "GRIDGOV_WEBHOOK_ALLOW", help: "comma-separated networks (CIDR, or one address) in private, loopback or link-local ranges that webhook endpoints may reach; every other such address is refused, at registration and at each connection", value: prefixes{&c.WebhookAllow}},
		{name: "GRIDGOV_REALTIME_MAX_PER_CONNECTION", def: "10", help: "subscriptions one WebSocket connection may hold (RATE_LIMITED beyond)", value: positive[int]{&c.RealtimePerConnection}},
		{name: "GRIDGOV_REALTIME_MAX_PER_TOKEN", def: "20", help: "subscriptions one token may hold in one `gridgov serve` process (RATE_LIMITED beyond)", value: positive[int]{&c.RealtimePerToken}},
		{name: "GRIDGOV_REALTIME_BUFFER", def: "64", help: "events waiting for one subscription; a subscriber a whole buffer behind has its connection closed with 4429", value: positive[int]{&c.RealtimeBuffer}},
		{name: "GRIDGOV_WEBHOOK_RETRY_WINDOW", def: "24h", help: "how long after its event a failing webhook delivery is retried before it is given up (FAILED)", value: duration{&c.WebhookRetryWindow, false}},
		{name: "GRIDGOV_WEBHOOK_DISABLE_AFTER", def: "50", help: "failed attempts in a row that disable a webhook endpoint", value: positive[int]{&c.WebhookDisableAfter}},
		{name: "GRIDGOV_EVIDENCE_DIR", def: "data/evidence", help: "directory keeping the bytes of evidence (photos, documents) by their SHA-256, relative to the working directory unless absolute; created if missing", value: text{&c.EvidenceDir}},
		{name: "GRIDGOV_EVIDENCE_S3_URL", help: "keep evidence in this bucket of an S3-compatible store instead, path-style: http(s)://host:port/bucket (created if missing)", value: text{&c.EvidenceS3URL}},
		{name: "GRIDGOV_EVIDENCE_S3_REGION", def: "us-east-1", help: "region the S3 requests are signed for", value: text{&c.EvidenceS3Region}},
		{name: "GRIDGOV_EVIDENCE_S3_ACCESS_KEY", help: "access key of the S3 bucket", value: text{&c.EvidenceS3Access}},
		{name: "GRIDGOV_EVIDENCE_S3_SECRET_KEY", secret: true, help: "secret key of the S3 bucket", value: text{&c.EvidenceS3Secret}},
		{name: "GRIDGOV_MAX_FILE_BYTES", def: "10MiB", help: "largest file a multipart GraphQL request may carry (evidence), in B, KiB or MiB (BODY_LIMIT beyond)", value: byteSize{&c.MaxFileBytes}},
		{name: "GRIDGOV_MAX_FILES", def: "5", help: "most files a multipart GraphQL request may carry (BODY_LIMIT beyond)", value: positive[int]{&c.MaxFiles}},
	}
}

// Development reports whether the server runs in development mode.
func (c Config) Development() bool { return c.Mode == "development" }

// MetricsAddress gives the address of the metrics' own listener, or "" when /metrics is
// served beside the API or not at all.
func (c Config) MetricsAddress() string {
	if c.MetricsListen == MetricsOnAPI || c.MetricsListen == MetricsOff {
		return ""
	}
	return c.MetricsListen
}

// FromEnv reads the configuration, applying defaults, and validates it.
func FromEnv() (Config, error) { return From(os.Getenv) }

// From reads the configuration through getenv (tests pass a map's lookup): every variable
// with its default, then, in development mode, the development defaults of the variables
// left unset, then the rules that tie variables together.
func From(getenv func(string) string) (Config, error) {
	var c Config
	all := c.settings()
	for _, s := range all {
		text := getenv(s.name)
		if text == "" {
			text = s.def
		}
		if err := s.read(text); err != nil {
			return c, err
		}
	}
	if c.Development() {
		for _, s := range all {
			if s.dev != "" && getenv(s.name) == "" {
				if err := s.read(s.dev); err != nil {
					return c, err
				}
			}
		}
	}
	return c, c.check()
}

// check applies the rules between variables.
func (c Config) check() error {
	if a := c.MetricsAddress(); a != "" && a == c.Listen {
		return fmt.Errorf("GRIDGOV_METRICS_LISTEN: want an address other than GRIDGOV_LISTEN, %s or %s, got %q", MetricsOnAPI, MetricsOff, a)
	}
	if c.ReadHeaderTimeout > c.ReadTimeout {
		return fmt.Errorf("GRIDGOV_READ_HEADER_TIMEOUT (%s) cannot be longer than GRIDGOV_READ_TIMEOUT (%s)", c.ReadHeaderTimeout, c.ReadTimeout)
	}
	if c.WriteTimeout <= c.RequestTimeout {
		return fmt.Errorf("GRIDGOV_WRITE_TIMEOUT (%s) must be longer than GRIDGOV_REQUEST_TIMEOUT (%s): a GraphQL answer is written after its request ran", c.WriteTimeout, c.RequestTimeout)
	}
	return nil
}

// read sets the setting's field from text, or says why text is not acceptable, naming the
// variable (with a secret's password hidden).
func (s setting) read(text string) error {
	err := s.value.set(text)
	if err == nil {
		return nil
	}
	var w unwanted
	if !errors.As(err, &w) {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	want := w.want
	if w.example {
		want += " such as " + s.def
	}
	shown := text
	if s.secret {
		shown = maskURL(text)
	}
	return fmt.Errorf("%s: want %s, got %q", s.name, want, shown)
}

// shown gives the setting's value as `gridgov config` prints it: a secret masked.
func (s setting) shown() string {
	v := s.value.String()
	if !s.secret || v == "" {
		return v
	}
	if m, ok := s.value.(masker); ok {
		return m.masked()
	}
	return "xxxxx"
}

// Masked gives the effective configuration as name=value lines with secrets hidden, in the
// order of the README's table.
func (c Config) Masked() [][2]string {
	var out [][2]string
	for _, s := range c.settings() {
		out = append(out, [2]string{s.name, s.shown()})
	}
	return out
}

// Table renders the variables as the Markdown table of the README's "Configuration" section.
func Table() string {
	var b strings.Builder
	b.WriteString("| variable | default | meaning |\n|---|---|---|\n")
	for _, s := range new(Config).settings() {
		def := "(empty)"
		if s.def != "" {
			def = "`" + s.def + "`"
		}
		switch {
		case s.dev != "" && s.secret:
			def += "; development mode: a built-in one"
		case s.dev != "":
			def += "; development mode: `" + s.dev + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.name, def, s.help)
	}
	return b.String()
}
