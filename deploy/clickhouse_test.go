package deploy

import (
	"encoding/xml"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// node is an element of a ClickHouse configuration file.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []*node    `xml:",any"`
}

func readConfig(t *testing.T, path string) *node {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseConfig(t, path, raw)
}

func parseConfig(t *testing.T, name string, raw []byte) *node {
	t.Helper()
	var n node
	if err := xml.Unmarshal(raw, &n); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &n
}

func (n *node) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// find follows a path of element names ("users/statistician/password").
func (n *node) find(path string) *node {
	cur := n
	for _, name := range strings.Split(path, "/") {
		var next *node
		for _, c := range cur.Nodes {
			if c.XMLName.Local == name {
				next = c
				break
			}
		}
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

func (n *node) children(name string) []*node {
	var out []*node
	for _, c := range n.Nodes {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
	}
	return out
}

// merge applies an override file (a users.d/ or config.d/ file) to base as ClickHouse does:
// an element with remove="remove" deletes its namesake, one with replace="replace" takes its
// place, any other is merged into its namesake (its text replacing the namesake's) or added.
func merge(base, over *node) {
	for _, o := range over.Nodes {
		i := slices.IndexFunc(base.Nodes, func(b *node) bool { return b.XMLName.Local == o.XMLName.Local })
		_, remove := o.attr("remove")
		_, replace := o.attr("replace")
		switch {
		case remove:
			if i >= 0 {
				base.Nodes = slices.Delete(base.Nodes, i, i+1)
			}
		case i < 0 || replace || len(o.Nodes) == 0 && len(base.Nodes[i].Nodes) == 0:
			if i < 0 {
				base.Nodes = append(base.Nodes, o)
			} else {
				base.Nodes[i] = o
			}
		default:
			merge(base.Nodes[i], o)
		}
	}
}

// passwordFields are the ways a users file gives a password; ClickHouse wants exactly one.
var passwordFields = []string{"password", "password_sha256_hex", "password_double_sha1_hex", "no_password", "ldap", "kerberos"}

func checkOnePassword(t *testing.T, setup string, user *node) string {
	t.Helper()
	var found []string
	for _, f := range passwordFields {
		if user.find(f) != nil {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		t.Errorf("%s: the statistician has password fields %v; ClickHouse wants exactly one", setup, found)
		return ""
	}
	return found[0]
}

func networks(user *node) []string {
	var out []string
	if n := user.find("networks"); n != nil {
		for _, ip := range n.children("ip") {
			v := strings.TrimSpace(ip.Text)
			if env, ok := ip.attr("from_env"); ok {
				v = "$" + env
			}
			out = append(out, v)
		}
	}
	return out
}

// The statistician as each setup sees it: users.xml alone lets no one in; the project-local
// 18.16 server (users.xml + the rendered statistician.xml.tmpl) has a hash and loopback; the
// compose service (users.xml + docker-statistician.xml) has the password from the
// environment, loopback and one configured network, and a grant on the warehouse instead of
// allow_databases (current releases refuse both together).
func TestStatisticianConfig(t *testing.T) {
	base := readConfig(t, "clickhouse/users.xml")
	stat := base.find("users/statistician")
	if stat == nil {
		t.Fatal("users.xml: no statistician")
	}
	if checkOnePassword(t, "users.xml", stat) != "password_sha256_hex" || !regexp.MustCompile(`^0{64}$`).MatchString(strings.TrimSpace(stat.find("password_sha256_hex").Text)) {
		t.Error("users.xml alone: the statistician's password must be a hash of no known text")
	}
	if got := networks(stat); !slices.Equal(got, []string{"::1", "127.0.0.1"}) {
		t.Errorf("users.xml alone: networks %v, want loopback", got)
	}
	if db := stat.find("allow_databases/database"); db == nil || strings.TrimSpace(db.Text) != "gridgov" {
		t.Error("users.xml: allow_databases must name gridgov only")
	}
	profile := base.find("profiles/statistician")
	for _, s := range []string{"readonly", "max_execution_time", "max_result_rows", "max_result_bytes", "max_rows_to_read", "max_bytes_to_read", "max_memory_usage"} {
		if profile.find(s) == nil {
			t.Errorf("users.xml: the statistician profile sets no %s", s)
		}
	}
	if v := strings.TrimSpace(profile.find("readonly").Text); v != "1" {
		t.Errorf("users.xml: readonly = %s, want 1", v)
	}

	// Project-local: the template rendered as services.sh does.
	tmpl, err := os.ReadFile("clickhouse/statistician.xml.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	rendered := strings.NewReplacer("@CH_STATISTICIAN_PASSWORD_SHA256@", strings.Repeat("ab", 32),
		"@CH_STATISTICIAN_NETWORKS@", "<ip>127.0.0.1</ip>\n<ip>::1</ip>").Replace(string(tmpl))
	if strings.Contains(rendered, "@") {
		t.Fatalf("statistician.xml.tmpl has placeholders services.sh does not fill: %s", regexp.MustCompile(`@[A-Z_0-9]+@`).FindAllString(rendered, -1))
	}
	local := readConfig(t, "clickhouse/users.xml")
	merge(local, parseConfig(t, "statistician.xml.tmpl", []byte(rendered)))
	ls := local.find("users/statistician")
	if checkOnePassword(t, "project-local", ls) != "password_sha256_hex" || strings.TrimSpace(ls.find("password_sha256_hex").Text) != strings.Repeat("ab", 32) {
		t.Error("project-local: the statistician's password is not the rendered hash")
	}
	if got := networks(ls); !slices.Equal(got, []string{"127.0.0.1", "::1"}) {
		t.Errorf("project-local: networks %v", got)
	}
	if ls.find("allow_databases") == nil || ls.find("grants") != nil {
		t.Error("project-local (18.16): allow_databases, no grants")
	}

	// Compose: the current release.
	compose := readConfig(t, "clickhouse/users.xml")
	merge(compose, readConfig(t, "clickhouse/docker-statistician.xml"))
	cs := compose.find("users/statistician")
	if checkOnePassword(t, "compose", cs) != "password" {
		t.Error("compose: the statistician's password must come from the environment")
	} else if env, _ := cs.find("password").attr("from_env"); env != "GRIDGOV_CH_STATISTICIAN_PASSWORD" {
		t.Errorf("compose: password from_env=%q", env)
	}
	if got := networks(cs); !slices.Equal(got, []string{"::1", "127.0.0.1", "$GRIDGOV_CH_STATISTICIAN_NETWORK"}) {
		t.Errorf("compose: networks %v", got)
	}
	if cs.find("allow_databases") != nil {
		t.Error("compose: allow_databases left beside grants (current releases refuse the user)")
	}
	var grants []string
	if g := cs.find("grants"); g != nil {
		for _, q := range g.children("query") {
			grants = append(grants, strings.TrimSpace(q.Text))
		}
	}
	if !slices.Equal(grants, []string{"GRANT SELECT ON gridgov.*"}) {
		t.Errorf("compose: grants %q, want SELECT on the warehouse only", grants)
	}
	if cs.find("profile") == nil || strings.TrimSpace(cs.find("profile").Text) != "statistician" {
		t.Error("compose: the statistician lost its profile")
	}
	access := readConfig(t, "clickhouse/docker-access.xml")
	if n := access.find("access_control_improvements/select_from_system_db_requires_grant"); n == nil || strings.TrimSpace(n.Text) != "true" {
		t.Error("docker-access.xml: system tables must need a grant")
	}
}

// docker-compose.yml mounts the statistician's files and refuses to start without its password.
func TestComposeStatistician(t *testing.T) {
	raw, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	compose := string(raw)
	for _, want := range []string{
		"./deploy/clickhouse/docker-statistician.xml:/etc/clickhouse-server/users.d/",
		"./deploy/clickhouse/docker-access.xml:/etc/clickhouse-server/config.d/",
		"GRIDGOV_CH_STATISTICIAN_PASSWORD: ${GRIDGOV_CH_STATISTICIAN_PASSWORD:?",
		"GRIDGOV_CH_STATISTICIAN_NETWORK: ${GRIDGOV_CH_STATISTICIAN_NETWORK:-",
	} {
		if !strings.Contains(compose, want) {
			t.Errorf("docker-compose.yml lacks %q", want)
		}
	}
	if strings.Contains(compose, "GRIDGOV_CH_STATISTICIAN_PASSWORD:-") {
		t.Error("docker-compose.yml defaults the statistician's password")
	}
}
