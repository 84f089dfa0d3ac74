package config_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"gridgov/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestDefaults: with nothing set, every documented default applies, production mode included.
func TestDefaults(t *testing.T) {
	c, err := config.From(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.CHAddr != "127.0.0.1:9000" || c.PGMaxConns != 16 || c.Mode != "production" || c.JWTSecret != "" {
		t.Errorf("defaults: %+v", c)
	}
	if len(c.Masked()) != len(config.Vars) {
		t.Errorf("config prints %d variables, documents %d", len(c.Masked()), len(config.Vars))
	}
	for i, kv := range c.Masked() {
		if kv[0] != config.Vars[i].Name {
			t.Errorf("printed %s where %s is documented", kv[0], config.Vars[i].Name)
		}
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

// TestREADMEDocumentsEveryVariable keeps the README's configuration table in step with Vars.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range config.Vars {
		def := "(empty)"
		if v.Default != "" {
			def = "`" + v.Default + "`"
		}
		if !strings.Contains(string(readme), "| `"+v.Name+"` | "+def+" |") {
			t.Errorf("README lacks %s with default %s", v.Name, def)
		}
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
	} {
		if _, err := config.From(env(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v", name, value, err)
		}
	}
	if _, err := config.From(env(map[string]string{"GRIDGOV_READ_HEADER_TIMEOUT": "1m"})); err == nil {
		t.Error("a header timeout longer than the read timeout was accepted")
	}
}
