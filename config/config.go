// Package config reads gridgov's configuration from environment variables. Every variable has
// a documented default (see Vars), so a bare `gridgov serve` works against local services;
// a bad value fails at start with a message naming the variable.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Var documents one environment variable.
type Var struct {
	Name    string
	Default string
	Help    string
	Secret  bool
}

// Vars lists every variable gridgov reads, with its default; the README is written from it.
var Vars = []Var{
	{"GRIDGOV_PG_URL", "postgres://postgres@127.0.0.1:5432/gridgov?sslmode=disable", "Postgres connection URL (operational store)", true},
	{"GRIDGOV_PG_MAX_CONNS", "16", "maximum connections in the Postgres pool", false},
	{"GRIDGOV_CH_ADDR", "127.0.0.1:9000", "ClickHouse native-protocol address (warehouse)", false},
	{"GRIDGOV_CH_DATABASE", "gridgov", "ClickHouse database of the warehouse", false},
	{"GRIDGOV_CH_USER", "default", "ClickHouse user for the ETL and indicators", false},
	{"GRIDGOV_CH_PASSWORD", "", "ClickHouse password", true},
	{"GRIDGOV_CH_STATISTICIAN_PASSWORD", "", "password of the read-only ClickHouse user statistician (POST /analytics/sql)", true},
	{"GRIDGOV_CH_CLUSTER", "", "ClickHouse cluster name: replicated tables ON CLUSTER (empty: one node)", false},
	{"GRIDGOV_PSEUDONYM_KEY", "", "key of the warehouse's pseudonymous person keys (development mode has a built-in one)", true},
	{"GRIDGOV_LISTEN", "127.0.0.1:8080", "address `gridgov serve` listens on", false},
	{"GRIDGOV_METRICS_LISTEN", "127.0.0.1:9091", "where /metrics is served, without a token: an address of its own (keep it on loopback or a private network), `api` for GRIDGOV_LISTEN beside the API, or `off`; development mode defaults to `api`", false},
	{"GRIDGOV_DEBUG_LISTEN", "", "serve Go's profiler (/debug/pprof/) on this address; keep it on loopback (off when empty)", false},
	{"GRIDGOV_LOG_LEVEL", "info", "log level: debug, info, warn, error", false},
	{"GRIDGOV_SHUTDOWN_TIMEOUT", "15s", "how long shutdown waits for in-flight work", false},
	{"GRIDGOV_READ_HEADER_TIMEOUT", "5s", "how long a client may take to send a request's headers; the connection is closed then", false},
	{"GRIDGOV_READ_TIMEOUT", "30s", "how long a client may take to send a whole request, headers and body; a slower body is cut off", false},
	{"GRIDGOV_WRITE_TIMEOUT", "1m", "how long one answer may take, from the end of its request's headers to its last byte; longer than GRIDGOV_REQUEST_TIMEOUT (POST /analytics/sql streams for up to 10m)", false},
	{"GRIDGOV_IDLE_TIMEOUT", "2m", "how long an idle keep-alive connection stays open", false},
	{"GRIDGOV_MAX_HEADER_BYTES", "65536", "largest request line and headers, in bytes (a GET query travels in the request line)", false},
	{"GRIDGOV_MODE", "production", "production, or development (GraphiQL, introspection, a built-in token secret)", false},
	{"GRIDGOV_JWT_ALG", "HS256", "token signature algorithm: HS256, RS256 or ES256", false},
	{"GRIDGOV_JWT_SECRET", "", "HS256 secret, at least 32 bytes (development mode has a built-in one)", true},
	{"GRIDGOV_JWT_PUBLIC_KEY_FILE", "", "PEM public key for RS256/ES256", false},
	{"GRIDGOV_JWT_PRIVATE_KEY_FILE", "", "PEM private key for RS256/ES256, only to issue tokens", false},
	{"GRIDGOV_JWT_AUDIENCE", "gridgov", "audience tokens must name", false},
	{"GRIDGOV_JWT_ISSUER", "gridgov", "issuer tokens must name", false},
	{"GRIDGOV_JWT_LEEWAY", "30s", "clock skew tolerated on token times", false},
	{"GRIDGOV_MAX_BODY_BYTES", "65536", "largest GraphQL request body, in bytes (BODY_LIMIT beyond)", false},
	{"GRIDGOV_MAX_DEPTH", "12", "deepest nesting of fields a GraphQL operation may select (DEPTH_LIMIT beyond)", false},
	{"GRIDGOV_MAX_COMPLEXITY", "50000", "highest cost of a GraphQL operation; a connection costs its page size times its children (COMPLEXITY_LIMIT beyond)", false},
	{"GRIDGOV_MAX_TOKENS", "2000", "most lexical tokens (names, punctuation, values, comments) a GraphQL document may hold; checked before it is parsed (COMPLEXITY_LIMIT beyond)", false},
	{"GRIDGOV_MAX_FIELDS", "200", "most fields (aliases included), fragment spreads, inline fragments, arguments, directives and variable definitions a GraphQL document may hold, each fragment definition counted once; checked before validation (COMPLEXITY_LIMIT beyond)", false},
	{"GRIDGOV_REQUEST_TIMEOUT", "10s", "how long one GraphQL request may run; its database queries are cancelled then (TIMEOUT)", false},
	{"GRIDGOV_RATE_LIMIT", "20", "GraphQL requests per second per token (subject and role), 0 for no limit (RATE_LIMITED beyond)", false},
	{"GRIDGOV_RATE_BURST", "40", "requests a token may make at once above the rate", false},
	{"GRIDGOV_APQ_CACHE", "1000", "queries kept by the automatic persisted query cache", false},
	{"GRIDGOV_ALLOWLIST", "", "serve only the operations registered in this file (JSON manifest) or directory (*.graphql): allow-list mode", false},
	{"GRIDGOV_CORS_ORIGINS", "", "comma-separated origins allowed to call the API from a browser (empty: none)", false},
}

// DevSecret signs tokens in development mode when GRIDGOV_JWT_SECRET is unset. It is public
// (it is in this file): production mode never uses it.
const DevSecret = "gridgov-development-secret-not-for-production"

// Config is the effective configuration.
type Config struct {
	PGURL           string
	PGMaxConns      int
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

	// Connection limits of the API's listener.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
}

// Development reports whether the server runs in development mode.
func (c Config) Development() bool { return c.Mode == "development" }

// FromEnv reads the configuration, applying defaults, and validates it.
func FromEnv() (Config, error) { return From(os.Getenv) }

// From reads the configuration through getenv (tests pass a map's lookup).
func From(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		for _, v := range Vars {
			if v.Name == name {
				return v.Default
			}
		}
		return ""
	}
	var c Config
	var err error
	c.PGURL = get("GRIDGOV_PG_URL")
	if u, perr := url.Parse(c.PGURL); perr != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return c, fmt.Errorf("GRIDGOV_PG_URL: want a postgres:// URL, got %q", mask(c.PGURL))
	}
	if c.PGMaxConns, err = positiveInt(get, "GRIDGOV_PG_MAX_CONNS"); err != nil {
		return c, err
	}
	c.CHAddr = get("GRIDGOV_CH_ADDR")
	c.CHDatabase = get("GRIDGOV_CH_DATABASE")
	c.CHUser = get("GRIDGOV_CH_USER")
	c.CHPassword = get("GRIDGOV_CH_PASSWORD")
	c.CHCluster = get("GRIDGOV_CH_CLUSTER")
	c.CHStatPassword = get("GRIDGOV_CH_STATISTICIAN_PASSWORD")
	c.PseudonymKey = get("GRIDGOV_PSEUDONYM_KEY")
	c.Listen = get("GRIDGOV_LISTEN")
	c.DebugListen = get("GRIDGOV_DEBUG_LISTEN")
	c.LogLevel = get("GRIDGOV_LOG_LEVEL")
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, fmt.Errorf("GRIDGOV_LOG_LEVEL: want debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.ShutdownTimeout, err = time.ParseDuration(get("GRIDGOV_SHUTDOWN_TIMEOUT")); err != nil || c.ShutdownTimeout <= 0 {
		return c, fmt.Errorf("GRIDGOV_SHUTDOWN_TIMEOUT: want a positive duration such as 15s, got %q", get("GRIDGOV_SHUTDOWN_TIMEOUT"))
	}
	c.Mode = get("GRIDGOV_MODE")
	if c.Mode != "production" && c.Mode != "development" {
		return c, fmt.Errorf("GRIDGOV_MODE: want production or development, got %q", c.Mode)
	}
	c.MetricsListen = get("GRIDGOV_METRICS_LISTEN")
	if getenv("GRIDGOV_METRICS_LISTEN") == "" && c.Development() {
		c.MetricsListen = MetricsOnAPI
	}
	if a := c.MetricsAddress(); a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil || a == c.Listen {
			return c, fmt.Errorf("GRIDGOV_METRICS_LISTEN: want an address other than GRIDGOV_LISTEN (such as 127.0.0.1:9091), %s or %s, got %q", MetricsOnAPI, MetricsOff, a)
		}
	}
	if err := c.connectionLimits(get); err != nil {
		return c, err
	}
	c.JWTAlg, c.JWTSecret = get("GRIDGOV_JWT_ALG"), get("GRIDGOV_JWT_SECRET")
	if c.JWTSecret == "" && c.Development() {
		c.JWTSecret = DevSecret
	}
	c.JWTPublicKey, c.JWTPrivateKey = get("GRIDGOV_JWT_PUBLIC_KEY_FILE"), get("GRIDGOV_JWT_PRIVATE_KEY_FILE")
	c.JWTAudience, c.JWTIssuer = get("GRIDGOV_JWT_AUDIENCE"), get("GRIDGOV_JWT_ISSUER")
	if c.JWTLeeway, err = time.ParseDuration(get("GRIDGOV_JWT_LEEWAY")); err != nil || c.JWTLeeway < 0 {
		return c, fmt.Errorf("GRIDGOV_JWT_LEEWAY: want a duration such as 30s, got %q", get("GRIDGOV_JWT_LEEWAY"))
	}
	n, err := positiveInt(get, "GRIDGOV_MAX_BODY_BYTES")
	if err != nil {
		return c, err
	}
	c.MaxBodyBytes = int64(n)
	if c.MaxDepth, err = positiveInt(get, "GRIDGOV_MAX_DEPTH"); err != nil {
		return c, err
	}
	if c.MaxComplexity, err = positiveInt(get, "GRIDGOV_MAX_COMPLEXITY"); err != nil {
		return c, err
	}
	if c.MaxTokens, err = positiveInt(get, "GRIDGOV_MAX_TOKENS"); err != nil {
		return c, err
	}
	if c.MaxFields, err = positiveInt(get, "GRIDGOV_MAX_FIELDS"); err != nil {
		return c, err
	}
	if c.RequestTimeout, err = positiveDuration(get, "GRIDGOV_REQUEST_TIMEOUT", "10s"); err != nil {
		return c, err
	}
	if c.WriteTimeout <= c.RequestTimeout {
		return c, fmt.Errorf("GRIDGOV_WRITE_TIMEOUT (%s) must be longer than GRIDGOV_REQUEST_TIMEOUT (%s): a GraphQL answer is written after its request ran", c.WriteTimeout, c.RequestTimeout)
	}
	if c.RateLimit, err = strconv.ParseFloat(get("GRIDGOV_RATE_LIMIT"), 64); err != nil || c.RateLimit < 0 {
		return c, fmt.Errorf("GRIDGOV_RATE_LIMIT: want requests per second, 0 or more, got %q", get("GRIDGOV_RATE_LIMIT"))
	}
	if c.RateBurst, err = positiveInt(get, "GRIDGOV_RATE_BURST"); err != nil {
		return c, err
	}
	if c.APQCache, err = positiveInt(get, "GRIDGOV_APQ_CACHE"); err != nil {
		return c, err
	}
	c.AllowList = get("GRIDGOV_ALLOWLIST")
	for _, o := range strings.Split(get("GRIDGOV_CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if o == "*" {
			return c, fmt.Errorf("GRIDGOV_CORS_ORIGINS: name the origins; a wildcard is not accepted")
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
			return c, fmt.Errorf("GRIDGOV_CORS_ORIGINS: %q is not an origin such as https://console.example.org", o)
		}
		c.CORSOrigins = append(c.CORSOrigins, o)
	}
	return c, nil
}

// The values of GRIDGOV_METRICS_LISTEN that are not addresses.
const (
	MetricsOnAPI = "api" // /metrics on GRIDGOV_LISTEN, beside the API
	MetricsOff   = "off" // no /metrics
)

// MetricsAddress gives the address of the metrics' own listener, or "" when /metrics is
// served beside the API or not at all.
func (c Config) MetricsAddress() string {
	if c.MetricsListen == MetricsOnAPI || c.MetricsListen == MetricsOff {
		return ""
	}
	return c.MetricsListen
}

// connectionLimits reads the limits of the API's connections.
func (c *Config) connectionLimits(get func(string) string) error {
	var err error
	if c.ReadHeaderTimeout, err = positiveDuration(get, "GRIDGOV_READ_HEADER_TIMEOUT", "5s"); err != nil {
		return err
	}
	if c.ReadTimeout, err = positiveDuration(get, "GRIDGOV_READ_TIMEOUT", "30s"); err != nil {
		return err
	}
	if c.ReadHeaderTimeout > c.ReadTimeout {
		return fmt.Errorf("GRIDGOV_READ_HEADER_TIMEOUT (%s) cannot be longer than GRIDGOV_READ_TIMEOUT (%s)", c.ReadHeaderTimeout, c.ReadTimeout)
	}
	if c.WriteTimeout, err = positiveDuration(get, "GRIDGOV_WRITE_TIMEOUT", "1m"); err != nil {
		return err
	}
	if c.IdleTimeout, err = positiveDuration(get, "GRIDGOV_IDLE_TIMEOUT", "2m"); err != nil {
		return err
	}
	if c.MaxHeaderBytes, err = positiveInt(get, "GRIDGOV_MAX_HEADER_BYTES"); err != nil {
		return err
	}
	return nil
}

func positiveDuration(get func(string) string, name, example string) (time.Duration, error) {
	d, err := time.ParseDuration(get(name))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: want a positive duration such as %s, got %q", name, example, get(name))
	}
	return d, nil
}

func positiveInt(get func(string) string, name string) (int, error) {
	n, err := strconv.Atoi(get(name))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: want a positive integer, got %q", name, get(name))
	}
	return n, nil
}

// mask hides the password of a URL.
func mask(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Masked gives the effective configuration as name=value lines with secrets hidden.
func (c Config) Masked() [][2]string {
	hide := func(s string) string {
		if s == "" {
			return ""
		}
		return "xxxxx"
	}
	return [][2]string{
		{"GRIDGOV_PG_URL", mask(c.PGURL)},
		{"GRIDGOV_PG_MAX_CONNS", strconv.Itoa(c.PGMaxConns)},
		{"GRIDGOV_CH_ADDR", c.CHAddr},
		{"GRIDGOV_CH_DATABASE", c.CHDatabase},
		{"GRIDGOV_CH_USER", c.CHUser},
		{"GRIDGOV_CH_PASSWORD", hide(c.CHPassword)},
		{"GRIDGOV_CH_STATISTICIAN_PASSWORD", hide(c.CHStatPassword)},
		{"GRIDGOV_CH_CLUSTER", c.CHCluster},
		{"GRIDGOV_PSEUDONYM_KEY", hide(c.PseudonymKey)},
		{"GRIDGOV_LISTEN", c.Listen},
		{"GRIDGOV_METRICS_LISTEN", c.MetricsListen},
		{"GRIDGOV_DEBUG_LISTEN", c.DebugListen},
		{"GRIDGOV_LOG_LEVEL", c.LogLevel},
		{"GRIDGOV_SHUTDOWN_TIMEOUT", c.ShutdownTimeout.String()},
		{"GRIDGOV_READ_HEADER_TIMEOUT", c.ReadHeaderTimeout.String()},
		{"GRIDGOV_READ_TIMEOUT", c.ReadTimeout.String()},
		{"GRIDGOV_WRITE_TIMEOUT", c.WriteTimeout.String()},
		{"GRIDGOV_IDLE_TIMEOUT", c.IdleTimeout.String()},
		{"GRIDGOV_MAX_HEADER_BYTES", strconv.Itoa(c.MaxHeaderBytes)},
		{"GRIDGOV_MODE", c.Mode},
		{"GRIDGOV_JWT_ALG", c.JWTAlg},
		{"GRIDGOV_JWT_SECRET", hide(c.JWTSecret)},
		{"GRIDGOV_JWT_PUBLIC_KEY_FILE", c.JWTPublicKey},
		{"GRIDGOV_JWT_PRIVATE_KEY_FILE", c.JWTPrivateKey},
		{"GRIDGOV_JWT_AUDIENCE", c.JWTAudience},
		{"GRIDGOV_JWT_ISSUER", c.JWTIssuer},
		{"GRIDGOV_JWT_LEEWAY", c.JWTLeeway.String()},
		{"GRIDGOV_MAX_BODY_BYTES", strconv.FormatInt(c.MaxBodyBytes, 10)},
		{"GRIDGOV_MAX_DEPTH", strconv.Itoa(c.MaxDepth)},
		{"GRIDGOV_MAX_COMPLEXITY", strconv.Itoa(c.MaxComplexity)},
		{"GRIDGOV_MAX_TOKENS", strconv.Itoa(c.MaxTokens)},
		{"GRIDGOV_MAX_FIELDS", strconv.Itoa(c.MaxFields)},
		{"GRIDGOV_REQUEST_TIMEOUT", c.RequestTimeout.String()},
		{"GRIDGOV_RATE_LIMIT", strconv.FormatFloat(c.RateLimit, 'g', -1, 64)},
		{"GRIDGOV_RATE_BURST", strconv.Itoa(c.RateBurst)},
		{"GRIDGOV_APQ_CACHE", strconv.Itoa(c.APQCache)},
		{"GRIDGOV_ALLOWLIST", c.AllowList},
		{"GRIDGOV_CORS_ORIGINS", strings.Join(c.CORSOrigins, ",")},
	}
}
