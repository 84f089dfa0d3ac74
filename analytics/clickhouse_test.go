package analytics_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

// warehouseDB is the database the statistician may read (allow_databases in users.xml).
const warehouseDB = "gridgov"

// statisticianPassword is the password services.sh generated for the statistician.
func statisticianPassword(t *testing.T) string {
	t.Helper()
	pw := os.Getenv("GRIDGOV_CH_STATISTICIAN_PASSWORD")
	if pw == "" {
		t.Fatal(`GRIDGOV_CH_STATISTICIAN_PASSWORD is empty: eval "$(scripts/services.sh env)" (the statistician has a password)`)
	}
	return pw
}

// statistician connects as the ClickHouse user "statistician", after making sure the
// warehouse database has its tables (as the service account: migrating is idempotent).
func statistician(t *testing.T) *warehouse.Client {
	t.Helper()
	admin := whtest.Open(t)
	if _, err := warehouse.Migrate(context.Background(), admin, warehouseDB, warehouse.Topology{}); err != nil {
		t.Fatalf("migrate %s: %v", warehouseDB, err)
	}
	c, err := warehouse.Open(context.Background(), warehouse.Options{Addr: whtest.Options(t).Addr, User: "statistician",
		Password: statisticianPassword(t), Database: warehouseDB, DefaultDatabase: warehouseDB})
	if err != nil {
		t.Fatalf("connect as statistician (scripts/services.sh up renders its users.d): %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// login connects as the statistician with a password, from a local address when from is set.
func login(addr, password, from string) error {
	o := &clickhouse.Options{Addr: []string{addr}, Auth: clickhouse.Auth{Database: warehouseDB, Username: "statistician", Password: password},
		DialTimeout: 5 * time.Second}
	if from != "" {
		o.DialContext = func(ctx context.Context, addr string) (net.Conn, error) {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
			return d.DialContext(ctx, "tcp", addr)
		}
	}
	conn, err := clickhouse.Open(o)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Ping(context.Background())
}

// exceptionCode is the ClickHouse exception code of err, or 0 when err is no exception.
func exceptionCode(err error) int32 {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return ex.Code
	}
	return 0
}

// profileSettings reads the statistician's profile from deploy/clickhouse/users.xml.
func profileSettings(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../deploy/clickhouse/users.xml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Profiles struct {
			Statistician struct {
				Settings []struct {
					XMLName xml.Name
					Value   string `xml:",chardata"`
				} `xml:",any"`
			} `xml:"statistician"`
		} `xml:"profiles"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range doc.Profiles.Statistician.Settings {
		out[s.XMLName.Local] = strings.TrimSpace(s.Value)
	}
	return out
}

// The server applies the profile of users.xml to the statistician, setting by setting.
func TestStatisticianProfile(t *testing.T) {
	c := statistician(t)
	want := profileSettings(t)
	for _, name := range []string{"readonly", "max_execution_time", "max_result_rows", "max_result_bytes", "result_overflow_mode",
		"max_rows_to_read", "max_bytes_to_read", "max_memory_usage", "max_concurrent_queries_for_user"} {
		if want[name] == "" {
			t.Errorf("users.xml: the statistician profile has no %s", name)
		}
	}
	rows, err := c.Query(context.Background(), "SELECT name, value FROM system.settings WHERE changed")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r[0]] = r[1]
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("setting %s = %q for the statistician, want %q (users.xml)", name, got[name], v)
		}
	}
	n, err := c.Query(context.Background(), "SELECT count() FROM dim_date FINAL")
	if err != nil || len(n) != 1 || n[0][0] != "36525" {
		t.Errorf("the statistician reads the warehouse: %v %v", n, err)
	}
}

// Only the password services.sh generated lets the statistician in, and only from the
// configured networks (loopback by default: a connection from 127.0.0.2 is refused).
func TestStatisticianLogin(t *testing.T) {
	addr := whtest.Options(t).Addr
	pw := statisticianPassword(t)
	if err := login(addr, pw, ""); err != nil {
		t.Fatalf("with the password: %v", err)
	}
	for name, try := range map[string]string{"no password": "", "a wrong password": pw + "x"} {
		if err := login(addr, try, ""); exceptionCode(err) == 0 {
			t.Errorf("%s: want an authentication exception, got %v", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	host, _, _ := net.SplitHostPort(addr)
	if host != "127.0.0.1" || os.Getenv("GRIDGOV_CH_STATISTICIAN_NETWORKS") != "" {
		t.Logf("ClickHouse at %s with networks %q: the loopback-only check needs services.sh's project-local defaults", addr, os.Getenv("GRIDGOV_CH_STATISTICIAN_NETWORKS"))
		return
	}
	err := login(addr, pw, "127.0.0.2")
	if code := exceptionCode(err); code != warehouse.CodeIPAddressNotAllowed && code != warehouse.CodeAuthenticationFailed { // the latter on current releases
		t.Errorf("from 127.0.0.2: want exception IP_ADDRESS_NOT_ALLOWED, got %v", err)
	} else {
		t.Logf("from 127.0.0.2: %v", err)
	}
}

// TestCorpusAgainstClickHouse sends the corpus straight to the server as the statistician,
// past the endpoint, and checks what ClickHouse itself does: each "refuse" is refused (with
// the exception code the corpus names, on 18.16), and each "accept", on 18.16, runs (the gaps
// only the endpoint closes).
func TestCorpusAgainstClickHouse(t *testing.T) {
	ctx := context.Background()
	stat := statistician(t)
	admin := whtest.Open(t)
	suffix := randomSuffix()
	other, probe := "gridgov_other_"+suffix, "statistician_probe_"+suffix
	t.Cleanup(func() {
		for _, q := range []string{"DROP DATABASE IF EXISTS " + other, "DROP TABLE IF EXISTS " + warehouseDB + "." + probe,
			"DROP TABLE IF EXISTS " + warehouseDB + "." + probe + "_created", "DROP TABLE IF EXISTS " + warehouseDB + "." + probe + "_renamed"} {
			admin.Exec(context.Background(), q) //nolint:errcheck
		}
	})
	for _, q := range []string{"CREATE DATABASE " + other, "CREATE TABLE " + other + ".secret (a UInt16, s String) ENGINE = Memory",
		"INSERT INTO " + other + ".secret (a, s) SELECT 1, 'secret'",
		"CREATE TABLE " + warehouseDB + "." + probe + " (a UInt8) ENGINE = MergeTree ORDER BY a"} {
		if err := admin.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	v, err := stat.Query(ctx, "SELECT version()")
	if err != nil {
		t.Fatal(err)
	}
	is1816 := strings.HasPrefix(v[0][0], "18.16.")
	sent := 0
	for _, a := range loadCorpus(t) {
		if a.clickhouse == "-" {
			continue
		}
		sent++
		err := runAll(ctx, stat, a.with(other, probe))
		verdict, code, _ := strings.Cut(a.clickhouse, " ")
		switch {
		case verdict == "accept" && is1816 && err != nil:
			t.Errorf("bypass.txt:%d %s: 18.16 refused it (%v); the corpus says it accepts", a.line, a.name, err)
		case verdict == "refuse" && exceptionCode(err) == 0:
			t.Errorf("bypass.txt:%d %s: ClickHouse did not refuse it (%v)", a.line, a.name, err)
		case verdict == "refuse" && code != "" && is1816 && strconv.Itoa(int(exceptionCode(err))) != code:
			t.Errorf("bypass.txt:%d %s: ClickHouse refused it with %v; want exception %s", a.line, a.name, err, code)
		case verdict != "accept" && verdict != "refuse":
			t.Errorf("bypass.txt:%d %s: unknown clickhouse verdict %q", a.line, a.name, a.clickhouse)
		}
	}
	t.Logf("%d attempts sent to ClickHouse %s as the statistician", sent, v[0][0])
}

// runAll runs a query and reads every row: some limits are only reported after the first
// blocks.
func runAll(ctx context.Context, c *warehouse.Client, sql string) error {
	rows, err := c.Conn.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	return hex.EncodeToString(b)
}
