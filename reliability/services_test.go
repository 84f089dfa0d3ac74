package reliability

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// private is a second set of services, started by scripts/services.sh in a directory of the
// test's own, so a test can stop and restart them without touching anyone else's.
type private struct {
	t             *testing.T
	env           []string
	PGURL, CHAddr string
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startPrivate(t *testing.T) *private {
	t.Helper()
	dir, err := os.MkdirTemp("", "gridgov-private-") // outside t.TempDir: the services' users need to reach it
	if err != nil {
		t.Fatal(err)
	}
	p := &private{t: t}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GRIDGOV_PG_URL=") && !strings.HasPrefix(kv, "GRIDGOV_CH_ADDR=") {
			p.env = append(p.env, kv)
		}
	}
	p.env = append(p.env, "GRIDGOV_LOCAL_DIR="+dir, fmt.Sprintf("GRIDGOV_PG_PORT=%d", freePort(t)),
		fmt.Sprintf("GRIDGOV_CH_PORT=%d", freePort(t)), fmt.Sprintf("GRIDGOV_CH_HTTP_PORT=%d", freePort(t)))
	t.Cleanup(func() {
		p.script("down")
		os.RemoveAll(dir)
	})
	p.script("up")
	p.PGURL = fmt.Sprintf("postgres://postgres@127.0.0.1:%s/gridgov?sslmode=disable", p.get("GRIDGOV_PG_PORT"))
	p.CHAddr = "127.0.0.1:" + p.get("GRIDGOV_CH_PORT")
	return p
}

func (p *private) get(name string) string {
	for _, kv := range p.env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

// script runs scripts/services.sh for the private set.
func (p *private) script(args ...string) {
	p.t.Helper()
	cmd := exec.Command("bash", append([]string{"../scripts/services.sh"}, args...)...)
	cmd.Env = p.env
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("services.sh %v: %v\n%s", args, err, out)
	}
}
