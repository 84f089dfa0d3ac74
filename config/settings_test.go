package config

import (
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the README's configuration table from the settings")

// The README's configuration table lies between these lines.
const (
	tableBegin = "<!-- generated from config's settings: go test ./config -run TestREADMETable -update -->\n\n"
	tableEnd   = "\n<!-- end of generated table -->\n"
)

// TestREADMETable: the README's configuration table is Table(), written from the settings;
// -update rewrites it.
func TestREADMETable(t *testing.T) {
	const path = "../README.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	before, rest, ok1 := strings.Cut(readme, tableBegin)
	table, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("README.md lacks the lines that bound the configuration table:\n%s%s", tableBegin, tableEnd)
	}
	if table == Table() {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(before+tableBegin+Table()+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's configuration table differs from the settings; run go test ./config -run TestREADMETable -update. Want:\n%s", Table())
}

// TestEveryFieldHasOneSetting: each field of Config is read from exactly one variable, and
// each variable has a name of its own.
func TestEveryFieldHasOneSetting(t *testing.T) {
	var c Config
	fields := map[uintptr]string{}
	rv := reflect.ValueOf(&c).Elem()
	for i := range rv.NumField() {
		fields[rv.Field(i).Addr().Pointer()] = rv.Type().Field(i).Name
	}
	names := map[string]bool{}
	for _, s := range c.settings() {
		if names[s.name] {
			t.Errorf("%s is declared twice", s.name)
		}
		names[s.name] = true
		p := reflect.ValueOf(s.value).Field(0).Pointer()
		if _, ok := fields[p]; !ok {
			t.Errorf("%s is read into no field of Config, or into one another variable is read into", s.name)
		}
		delete(fields, p)
	}
	for _, f := range fields {
		t.Errorf("no variable is read into Config.%s", f)
	}
}

// TestPrintedValuesReadBack: every value as `gridgov config` prints it (before masking)
// reads back to the same configuration, with the defaults and with every variable set.
func TestPrintedValuesReadBack(t *testing.T) {
	for _, env := range []map[string]string{nil, {
		"GRIDGOV_MODE": "development", "GRIDGOV_PG_URL": "postgresql://app:pw@db:5433/g", "GRIDGOV_PG_MAX_CONNS": "3",
		"GRIDGOV_METRICS_LISTEN": "off", "GRIDGOV_SHUTDOWN_TIMEOUT": "1m30s", "GRIDGOV_MEMORY_LIMIT": "3GiB",
		"GRIDGOV_JWT_LEEWAY": "0s", "GRIDGOV_RATE_LIMIT": "0.5", "GRIDGOV_MAX_BODY_BYTES": "1048576",
		"GRIDGOV_CORS_ORIGINS": "https://a.example, http://localhost:3000", "GRIDGOV_CH_PASSWORD": "pw",
	}} {
		c, err := From(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		printed := map[string]string{}
		for _, s := range c.settings() {
			printed[s.name] = s.value.String()
		}
		again, err := From(func(k string) string { return printed[k] })
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Errorf("%v: read back as %+v (%v), want %+v", env, again, err, c)
		}
	}
}
