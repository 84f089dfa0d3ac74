package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/config"
	"gridgov/dbtest"
	"gridgov/gid"
)

func gridgov(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestMigrateCommand runs `gridgov migrate` as an operator would: status before, up, up
// again, status after.
func TestMigrateCommand(t *testing.T) {
	url := dbtest.NewURL(t) // already migrated: status lists everything applied
	t.Setenv("GRIDGOV_PG_URL", url)
	code, out, errs := gridgov(t, "migrate", "status")
	if code != 0 || !strings.Contains(out, "00001_foundation") || strings.Contains(out, "pending") {
		t.Fatalf("migrate status = %d %q %q", code, out, errs)
	}
	if code, out, _ := gridgov(t, "migrate", "up"); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("migrate up on a migrated database = %d %q", code, out)
	}
	if code, _, errs := gridgov(t, "migrate", "sideways"); code == 0 || !strings.Contains(errs, "usage") {
		t.Errorf("migrate sideways = %d %q", code, errs)
	}
}

// TestBadConfigurationNamesTheVariable: a bad value fails at start, naming the variable.
func TestBadConfigurationNamesTheVariable(t *testing.T) {
	for name, value := range map[string]string{
		"GRIDGOV_PG_URL":           "mysql://x",
		"GRIDGOV_PG_MAX_CONNS":     "-3",
		"GRIDGOV_LOG_LEVEL":        "loud",
		"GRIDGOV_SHUTDOWN_TIMEOUT": "soon",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			code, _, errs := gridgov(t, "config")
			if code != 2 || !strings.Contains(errs, name) {
				t.Errorf("%s=%s: exit %d, stderr %q", name, value, code, errs)
			}
		})
	}
}

// TestConfigMasksSecrets: `gridgov config` prints every variable, the password masked.
func TestConfigMasksSecrets(t *testing.T) {
	t.Setenv("GRIDGOV_PG_URL", "postgres://app:s3cret@db.example:5432/gridgov")
	t.Setenv("GRIDGOV_CH_PASSWORD", "hunter2")
	code, out, _ := gridgov(t, "config")
	if code != 0 || strings.Contains(out, "s3cret") || strings.Contains(out, "hunter2") {
		t.Fatalf("config leaked a secret or failed (%d):\n%s", code, out)
	}
	for _, v := range []string{"GRIDGOV_PG_URL=postgres://app:xxxxx@", "GRIDGOV_LISTEN=127.0.0.1:8080", "GRIDGOV_CH_PASSWORD=xxxxx"} {
		if !strings.Contains(out, v) {
			t.Errorf("config output lacks %q:\n%s", v, out)
		}
	}
}

// TestSeedCommandRefusesBadInput: unknown profiles and scales are refused before any write.
func TestSeedCommandRefusesBadInput(t *testing.T) {
	t.Setenv("GRIDGOV_PG_URL", dbtest.NewURL(t))
	t.Setenv("GRIDGOV_EVIDENCE_DIR", t.TempDir())
	for _, args := range [][]string{{"seed", "--profile", "atlantis"}, {"seed", "--scale", "0"}, {"seed", "--as-of", "yesterday"}} {
		if code, _, errs := gridgov(t, args...); code == 0 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// TestTokenCommands mints a token as an operator would and the demo set on a seeded city;
// every token verifies with the same configuration.
func TestTokenCommands(t *testing.T) {
	t.Setenv("GRIDGOV_MODE", "development")
	url := dbtest.NewURL(t)
	t.Setenv("GRIDGOV_PG_URL", url)
	t.Setenv("GRIDGOV_EVIDENCE_DIR", t.TempDir())
	if code, _, errs := gridgov(t, "seed", "--as-of", "2026-11-27"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := auth.LoadKeys(cfg.JWTAlg, cfg.JWTSecret, "", "", cfg.JWTAudience, cfg.JWTIssuer, cfg.JWTLeeway)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := gridgov(t, "token", "issue", "--role", "community_cadre", "--scope", gid.Encode("Community", 2), "--subject", "7", "--ttl", "2h")
	if code != 0 {
		t.Fatalf("token issue: %s", errs)
	}
	c, err := keys.Verify(strings.TrimSpace(out), time.Now())
	if err != nil || c.Role != "community_cadre" || c.SubjectID() != 7 {
		t.Errorf("issued token: %+v %v", c, err)
	}
	if code, _, errs := gridgov(t, "token", "issue", "--role", "emperor", "--scope", "city"); code == 0 || !strings.Contains(errs, "unknown role") {
		t.Errorf("unknown role: exit %d %q", code, errs)
	}
	code, out, errs = gridgov(t, "token", "demo")
	if code != 0 {
		t.Fatalf("token demo: %s", errs)
	}
	roles := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		f := strings.Fields(line)
		c, err := keys.Verify(f[1], time.Now())
		if err != nil || c.Role != f[0] {
			t.Errorf("demo token for %s: %+v %v", f[0], c, err)
		}
		roles[c.Role] = true
	}
	if len(roles) != len(auth.Roles) {
		t.Errorf("demo tokens for %d roles, want %d", len(roles), len(auth.Roles))
	}
}
