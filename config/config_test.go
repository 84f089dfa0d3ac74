package config_test

import (
	"os"
	"strings"
	"testing"

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
