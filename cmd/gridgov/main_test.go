package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"gridgov/dbtest"
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
	for _, args := range [][]string{{"seed", "--profile", "atlantis"}, {"seed", "--scale", "0"}, {"seed", "--as-of", "yesterday"}} {
		if code, _, errs := gridgov(t, args...); code == 0 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}
