package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/config"
	"gridgov/realtime"
	"gridgov/webhook"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestDefaults: with nothing set, every documented default applies, production mode included.
func TestDefaults(t *testing.T) {
	c, err := config.From(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.CHAddr != "127.0.0.1:9000" || c.PGMaxConns != 16 || c.Mode != "production" ||
		c.JWTSecret != "" || c.MemoryLimit != 180<<20 || c.CORSOrigins != nil {
		t.Errorf("defaults: %+v", c)
	}
}

// TestDevelopmentSecret: development mode alone gets the built-in token secret.
func TestDevelopmentSecret(t *testing.T) {
	c, err := config.From(env(map[string]string{"GRIDGOV_MODE": "development"}))
	if err != nil || c.JWTSecret != config.DevSecret || !c.Development() {
		t.Errorf("development: %v %+v", err, c)
	}
	if _, err := config.From(env(map[string]string{"GRIDGOV_MODE": "staging"})); err == nil {
		t.Error("GRIDGOV_MODE=staging accepted")
	}
}

// TestMetricsListen: /metrics has a loopback listener of its own by default, the API's in
// development mode; `api` and `off` are the other choices, and an address must differ from
// GRIDGOV_LISTEN.
func TestMetricsListen(t *testing.T) {
	cases := []struct {
		env           map[string]string
		listen, addr  string
		wantErrSubstr string
	}{
		{nil, "127.0.0.1:9091", "127.0.0.1:9091", ""},
		{map[string]string{"GRIDGOV_MODE": "development"}, config.MetricsOnAPI, "", ""},
		{map[string]string{"GRIDGOV_MODE": "development", "GRIDGOV_METRICS_LISTEN": "127.0.0.1:9200"}, "127.0.0.1:9200", "127.0.0.1:9200", ""},
		{map[string]string{"GRIDGOV_METRICS_LISTEN": "api"}, config.MetricsOnAPI, "", ""},
		{map[string]string{"GRIDGOV_METRICS_LISTEN": "off"}, config.MetricsOff, "", ""},
		{map[string]string{"GRIDGOV_METRICS_LISTEN": "127.0.0.1:8080"}, "", "", "GRIDGOV_METRICS_LISTEN"},
		{map[string]string{"GRIDGOV_METRICS_LISTEN": "loopback"}, "", "", "GRIDGOV_METRICS_LISTEN"},
	}
	for _, c := range cases {
		cfg, err := config.From(env(c.env))
		if c.wantErrSubstr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErrSubstr) {
				t.Errorf("%v: error %v, want one naming %s", c.env, err, c.wantErrSubstr)
			}
			continue
		}
		if err != nil || cfg.MetricsListen != c.listen || cfg.MetricsAddress() != c.addr {
			t.Errorf("%v: %v, listen %q address %q; want %q %q", c.env, err, cfg.MetricsListen, cfg.MetricsAddress(), c.listen, c.addr)
		}
	}
}

// TestRequestAndConnectionLimits: the limits' defaults, and bad values refused naming the
// variable.
func TestRequestAndConnectionLimits(t *testing.T) {
	c, err := config.From(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxTokens != 2000 || c.MaxFields != 200 || c.MaxBodyBytes != 64<<10 || c.ReadHeaderTimeout != 5*time.Second ||
		c.ReadTimeout != 30*time.Second || c.WriteTimeout != time.Minute || c.IdleTimeout != 2*time.Minute || c.MaxHeaderBytes != 64<<10 {
		t.Errorf("defaults: %+v", c)
	}
	for name, value := range map[string]string{
		"GRIDGOV_MAX_TOKENS":          "0",
		"GRIDGOV_MAX_FIELDS":          "many",
		"GRIDGOV_READ_HEADER_TIMEOUT": "0s",
		"GRIDGOV_READ_TIMEOUT":        "soon",
		"GRIDGOV_IDLE_TIMEOUT":        "-1s",
		"GRIDGOV_MAX_HEADER_BYTES":    "-5",
		"GRIDGOV_WRITE_TIMEOUT":       "10s", // not longer than the request timeout
		"GRIDGOV_MEMORY_LIMIT":        "180MB",
	} {
		if _, err := config.From(env(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v", name, value, err)
		}
	}
	if _, err := config.From(env(map[string]string{"GRIDGOV_READ_HEADER_TIMEOUT": "1m"})); err == nil {
		t.Error("a header timeout longer than the read timeout was accepted")
	}
}

// TestBadValueMessages: a bad value is refused with a message that names the variable, says
// what it wants, and shows the value with a password hidden.
func TestBadValueMessages(t *testing.T) {
	for name, c := range map[string]struct{ value, message string }{
		"GRIDGOV_PG_URL":           {"mysql://app:s3cret@db", `GRIDGOV_PG_URL: want a postgres:// URL, got "mysql://app:xxxxx@db"`},
		"GRIDGOV_PG_MAX_CONNS":     {"-3", `GRIDGOV_PG_MAX_CONNS: want a positive integer, got "-3"`},
		"GRIDGOV_LOG_LEVEL":        {"loud", `GRIDGOV_LOG_LEVEL: want debug, info, warn or error, got "loud"`},
		"GRIDGOV_SHUTDOWN_TIMEOUT": {"0s", `GRIDGOV_SHUTDOWN_TIMEOUT: want a positive duration such as 15s, got "0s"`},
		"GRIDGOV_READ_TIMEOUT":     {"soon", `GRIDGOV_READ_TIMEOUT: want a positive duration such as 30s, got "soon"`},
		"GRIDGOV_JWT_LEEWAY":       {"-1s", `GRIDGOV_JWT_LEEWAY: want a duration such as 30s, got "-1s"`},
		"GRIDGOV_RATE_LIMIT":       {"-1", `GRIDGOV_RATE_LIMIT: want requests per second, 0 or more, got "-1"`},
		"GRIDGOV_MEMORY_LIMIT":     {"0MiB", `GRIDGOV_MEMORY_LIMIT: want a size in B, KiB, MiB or GiB such as 180MiB, got "0MiB"`},
		"GRIDGOV_MODE":             {"staging", `GRIDGOV_MODE: want production or development, got "staging"`},
		"GRIDGOV_CORS_ORIGINS":     {"https://a.example, *", `GRIDGOV_CORS_ORIGINS: name the origins; a wildcard is not accepted`},
	} {
		_, err := config.From(env(map[string]string{name: c.value}))
		if err == nil || err.Error() != c.message {
			t.Errorf("%s=%s: %v\nwant %s", name, c.value, err, c.message)
		}
	}
}

// TestMemoryLimit: GRIDGOV_MEMORY_LIMIT takes a size as GOMEMLIMIT does, and `gridgov config`
// prints it in the largest unit that holds it exactly.
func TestMemoryLimit(t *testing.T) {
	for value, want := range map[string]struct {
		bytes   int64
		printed string
	}{
		"180MiB": {180 << 20, "180MiB"}, "2GiB": {2 << 30, "2GiB"}, "1536KiB": {1536 << 10, "1536KiB"},
		"1048576": {1 << 20, "1MiB"}, "1000B": {1000, "1000B"},
	} {
		c, err := config.From(env(map[string]string{"GRIDGOV_MEMORY_LIMIT": value}))
		if err != nil || c.MemoryLimit != want.bytes || printed(c, "GRIDGOV_MEMORY_LIMIT") != want.printed {
			t.Errorf("%s: %v, %d bytes printed %q; want %d, %q", value, err, c.MemoryLimit, printed(c, "GRIDGOV_MEMORY_LIMIT"), want.bytes, want.printed)
		}
	}
}

func printed(c config.Config, name string) string {
	for _, kv := range c.Masked() {
		if kv[0] == name {
			return kv[1]
		}
	}
	return "(not printed)"
}

// TestRealtimeSettings: the subscription limits and the webhook worker's timings default to
// realtime's and webhook's documented values, take others, and refuse nonsense naming the
// variable.
func TestRealtimeSettings(t *testing.T) {
	c, err := config.From(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	// The settings' defaults are the packages' own, so that a server and a test agree.
	l, w := realtime.DefaultLimits(), webhook.NewWorker(nil, nil, prometheus.NewRegistry(), webhook.Guard{})
	if c.RealtimePerConnection != l.PerConnection || c.RealtimePerToken != l.PerToken || c.RealtimeBuffer != l.Buffer ||
		c.WebhookRetryWindow != w.MaxAge || c.WebhookDisableAfter != w.DisableAfter {
		t.Errorf("defaults: %+v, the packages' %+v, retry window %v, disable after %d", c, l, w.MaxAge, w.DisableAfter)
	}
	c, err = config.From(env(map[string]string{"GRIDGOV_REALTIME_MAX_PER_CONNECTION": "3", "GRIDGOV_REALTIME_MAX_PER_TOKEN": "5",
		"GRIDGOV_REALTIME_BUFFER": "8", "GRIDGOV_WEBHOOK_RETRY_WINDOW": "2h", "GRIDGOV_WEBHOOK_DISABLE_AFTER": "7"}))
	if err != nil || c.RealtimePerConnection != 3 || c.RealtimePerToken != 5 || c.RealtimeBuffer != 8 ||
		c.WebhookRetryWindow != 2*time.Hour || c.WebhookDisableAfter != 7 {
		t.Errorf("set: %v %+v", err, c)
	}
	for name, value := range map[string]string{
		"GRIDGOV_REALTIME_MAX_PER_CONNECTION": "0",
		"GRIDGOV_REALTIME_MAX_PER_TOKEN":      "-1",
		"GRIDGOV_REALTIME_BUFFER":             "lots",
		"GRIDGOV_WEBHOOK_RETRY_WINDOW":        "0s",
		"GRIDGOV_WEBHOOK_DISABLE_AFTER":       "1.5",
	} {
		if _, err := config.From(env(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v", name, value, err)
		}
	}
}
