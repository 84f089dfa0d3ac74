// Package scripts holds the tests of the repository's shell scripts.
package scripts

import (
	"bufio"
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runScript runs `bash services.sh ARGS...` from this directory and fails the test,
// showing the script's output, when it exits non-zero. A missing service is a
// failure here, never a skip.
func runScript(t *testing.T, args ...string) string {
	t.Helper()
	// The first `up` on a fresh machine may apt-get install ClickHouse.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{"services.sh"}, args...)...)
	out, err := cmd.CombinedOutput()
	t.Logf("$ bash services.sh %s\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("bash services.sh %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// serviceLines returns the lines the script printed about one service ("postgres: …").
func serviceLines(out, service string) []string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), service+": ") {
			lines = append(lines, sc.Text())
		}
	}
	return lines
}

// parseEnv reads the `export NAME='value'` lines that `services.sh env` prints.
func parseEnv(t *testing.T, out string) map[string]string {
	t.Helper()
	env := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "export ")
		if !ok {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("malformed env line %q", sc.Text())
		}
		env[name] = strings.Trim(value, "'")
	}
	return env
}

func dial(t *testing.T, what, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("%s: nothing accepts TCP connections on %s: %v", what, addr, err)
	}
	c.Close()
}

// query runs a client program and returns its trimmed output, failing the test on error.
func query(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestServicesScriptIdempotent(t *testing.T) {
	runScript(t, "up")
	second := runScript(t, "up")

	for _, service := range []string{"postgres", "clickhouse"} {
		lines := serviceLines(second, service)
		if len(lines) == 0 {
			t.Errorf("second up printed nothing about %s:\n%s", service, second)
		}
		using := false
		for _, l := range lines {
			if strings.Contains(l, "using running server") {
				using = true
			}
			for _, word := range []string{"started", "installing", "initdb", "created"} {
				if strings.Contains(l, word) {
					t.Errorf("second up did something (%q) instead of reusing the server: %q", word, l)
				}
			}
		}
		if !using {
			t.Errorf("second up has no %q line for %s:\n%s", "using running server", service, second)
		}
	}

	env := parseEnv(t, runScript(t, "env"))
	pgURL, chAddr := env["GRIDGOV_PG_URL"], env["GRIDGOV_CH_ADDR"]
	if pgURL == "" || chAddr == "" {
		t.Fatalf("services.sh env did not print both GRIDGOV_PG_URL and GRIDGOV_CH_ADDR: %v", env)
	}

	// Postgres answers a query in the gridgov database.
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatalf("GRIDGOV_PG_URL %q: %v", pgURL, err)
	}
	dial(t, "postgres", u.Host)
	if got := query(t, "psql", pgURL, "-X", "-A", "-t", "-c", "select current_database()"); got != "gridgov" {
		t.Errorf("postgres: current_database() = %q, want gridgov", got)
	}

	// ClickHouse answers on the native protocol and has the gridgov database.
	dial(t, "clickhouse", chAddr)
	host, port, err := net.SplitHostPort(chAddr)
	if err != nil {
		t.Fatalf("GRIDGOV_CH_ADDR %q: %v", chAddr, err)
	}
	client := []string{"clickhouse-client"}
	if _, err := exec.LookPath("clickhouse-client"); err != nil {
		client = []string{"clickhouse", "client"} // newer packages: one multi-call binary
	}
	args := append(client[1:], "--host", host, "--port", port, "-q",
		"SELECT name FROM system.databases WHERE name = 'gridgov'")
	if got := query(t, client[0], args...); got != "gridgov" {
		t.Errorf("clickhouse: database gridgov missing (got %q)", got)
	}

	// The read-only statistician logs in with the password env prints, and only with it.
	password := env["GRIDGOV_CH_STATISTICIAN_PASSWORD"]
	if len(password) < 16 {
		t.Fatalf("services.sh env: GRIDGOV_CH_STATISTICIAN_PASSWORD is %q, want a generated password", password)
	}
	statistician := func(password string) (string, error) {
		cfg := filepath.Join(t.TempDir(), "client.xml")
		xml := "<config><user>statistician</user><password>" + password + "</password></config>"
		if err := os.WriteFile(cfg, []byte(xml), 0o600); err != nil {
			t.Fatal(err)
		}
		args := append(client[1:], "--config-file", cfg, "--host", host, "--port", port, "-q", "SELECT 1")
		out, err := exec.CommandContext(t.Context(), client[0], args...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if out, err := statistician(password); err != nil || out != "1" {
		t.Errorf("clickhouse: the statistician cannot log in with the password from env: %v %s", err, out)
	}
	if out, err := statistician(""); err == nil {
		t.Errorf("clickhouse: the statistician logs in without a password: %s", out)
	}
}
