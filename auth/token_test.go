package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"gridgov/auth"
	"gridgov/gid"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const secret = "a-test-secret-that-is-long-enough-32b"

func hsKeys(t *testing.T) auth.Keys {
	t.Helper()
	k, err := auth.LoadKeys("HS256", secret, "", "", "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func writePEM(t *testing.T, typ string, der []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), typ+".pem")
	if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func pairKeys(t *testing.T, alg string) auth.Keys {
	t.Helper()
	var priv, pub any
	if alg == "RS256" {
		k, _ := rsa.GenerateKey(rand.Reader, 2048)
		priv, pub = k, &k.PublicKey
	} else {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		priv, pub = k, &k.PublicKey
	}
	privDER, _ := x509.MarshalPKCS8PrivateKey(priv)
	pubDER, _ := x509.MarshalPKIXPublicKey(pub)
	k, err := auth.LoadKeys(alg, "", writePEM(t, "PUBLIC KEY", pubDER), writePEM(t, "PRIVATE KEY", privDER), "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestIssueAndVerify: each algorithm round-trips role, scope and subject.
func TestIssueAndVerify(t *testing.T) {
	scope := gid.Encode("Community", 3)
	for _, k := range []auth.Keys{hsKeys(t), pairKeys(t, "RS256"), pairKeys(t, "ES256")} {
		t.Run(k.Method.Alg(), func(t *testing.T) {
			tok, err := k.Issue("community_cadre", scope, "42", time.Hour, now)
			if err != nil {
				t.Fatal(err)
			}
			c, err := k.Verify(tok, now.Add(59*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if c.Role != "community_cadre" || c.Scope != scope || c.SubjectID() != 42 {
				t.Errorf("claims %+v", c)
			}
		})
	}
}

// TestBadTokensAreRefused: expired, not yet valid, wrong signature, alg none, another
// algorithm, wrong audience or issuer, no expiry, unknown role, ill-fitting scope.
func TestBadTokensAreRefused(t *testing.T) {
	k := hsKeys(t)
	good, _ := k.Issue("leader", "city", "1", time.Hour, now)
	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "1", "role": "leader", "scope": "city", "aud": "gridgov", "iss": "gridgov",
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := base()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	rsa := pairKeys(t, "RS256")
	rsaTok, _ := rsa.Issue("leader", "city", "1", time.Hour, now)
	none := sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, base())
	cases := map[string]struct {
		token string
		at    time.Time
	}{
		"expired":                {good, now.Add(time.Hour + time.Minute)},
		"not yet valid":          {good, now.Add(-time.Minute)},
		"tampered signature":     {good[:len(good)-4] + "AAAA", now},
		"tampered payload":       {strings.Replace(good, ".", ".e30", 1), now},
		"alg none":               {none, now},
		"another algorithm":      {rsaTok, now},
		"wrong secret":           {sign(jwt.SigningMethodHS256, []byte("another-secret-that-is-long-enough!"), base()), now},
		"wrong audience":         {sign(jwt.SigningMethodHS256, []byte(secret), with("aud", "other")), now},
		"wrong issuer":           {sign(jwt.SigningMethodHS256, []byte(secret), with("iss", "evil")), now},
		"no expiry":              {sign(jwt.SigningMethodHS256, []byte(secret), with("exp", nil)), now},
		"unknown role":           {sign(jwt.SigningMethodHS256, []byte(secret), with("role", "superuser")), now},
		"unit scope for a cadre": {sign(jwt.SigningMethodHS256, []byte(secret), with("scope", gid.Encode("Unit", 2))), now},
		"scope of another type":  {sign(jwt.SigningMethodHS256, []byte(secret), with("scope", gid.Encode("Issue", 2))), now},
		"garbage":                {"not.a.token", now},
	}
	adminPlace := with("role", "city_admin")
	adminPlace["scope"] = gid.Encode("Street", 1)
	cases["admin with place scope"] = struct {
		token string
		at    time.Time
	}{sign(jwt.SigningMethodHS256, []byte(secret), adminPlace), now}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if claims, err := k.Verify(c.token, c.at); err == nil {
				t.Errorf("accepted: %+v", claims)
			}
		})
	}
	// Clock skew within the leeway is tolerated.
	if _, err := k.Verify(good, now.Add(time.Hour+10*time.Second)); err != nil {
		t.Errorf("10 s past expiry, within 30 s leeway: %v", err)
	}
}

func TestLoadKeysRefusesWeakConfiguration(t *testing.T) {
	for name, f := range map[string]func() error{
		"short secret":   func() error { _, err := auth.LoadKeys("HS256", "short", "", "", "a", "i", 0); return err },
		"unknown alg":    func() error { _, err := auth.LoadKeys("none", secret, "", "", "a", "i", 0); return err },
		"RS256, no key":  func() error { _, err := auth.LoadKeys("RS256", "", "", "", "a", "i", 0); return err },
		"key not a file": func() error { _, err := auth.LoadKeys("ES256", "", "/nonexistent.pem", "", "a", "i", 0); return err },
	} {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestScopeAboveRoleLevel: a cadre's token may not reach above the cadre's level: neither
// minted nor, when signed by someone else with the right key, accepted. At or below the level
// is fine.
func TestScopeAboveRoleLevel(t *testing.T) {
	k := hsKeys(t)
	street, community, grid := gid.Encode("Street", 1), gid.Encode("Community", 2), gid.Encode("Grid", 3)
	for _, c := range []struct {
		role, scope string
		ok          bool
	}{
		{"community_cadre", "city", false}, {"community_cadre", street, false}, {"community_cadre", community, true},
		{"community_cadre", grid, true}, {"street_cadre", "city", false}, {"street_cadre", street, true},
		{"street_cadre", community, true}, {"leader", "city", true}, {"leader", street, true},
	} {
		_, err := k.Issue(c.role, c.scope, "7", time.Hour, now)
		if (err == nil) != c.ok {
			t.Errorf("mint %s over %s: %v, want ok=%v", c.role, c.scope, err, c.ok)
		}
		forged, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "7", "role": c.role, "scope": c.scope,
			"aud": "gridgov", "iss": "gridgov", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.Verify(forged, now); (err == nil) != c.ok {
			t.Errorf("verify %s over %s: %v, want ok=%v", c.role, c.scope, err, c.ok)
		}
	}
}
