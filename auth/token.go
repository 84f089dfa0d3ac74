package auth

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"gridgov/gid"
)

// Roles are the roles a token may carry.
var Roles = []string{"city_admin", "leader", "street_cadre", "community_cadre", "grid_worker",
	"party_member", "unit_admin", "resident", "statistician"}

// ScopeCity is the scope of the whole city; any other scope is a place's (or, for a unit
// admin, a unit's) global id.
const ScopeCity = "city"

// Claims are what a gridgov token asserts: who (sub), as what (role), over which place (scope).
type Claims struct {
	jwt.RegisteredClaims
	Role  string `json:"role"`
	Scope string `json:"scope"`
}

// Keys sign and verify tokens with one algorithm: HS256 with a shared secret, or RS256/ES256
// with a key pair (the API needs only the public key).
type Keys struct {
	Method   jwt.SigningMethod
	Secret   []byte            // HS256
	Public   crypto.PublicKey  // RS256, ES256
	Private  crypto.PrivateKey // RS256, ES256; only to issue
	Audience string
	Issuer   string
	Leeway   time.Duration // clock skew tolerated on exp, nbf and iat
}

// LoadKeys builds Keys for alg from a secret or PEM key files.
func LoadKeys(alg, secret, publicFile, privateFile, audience, issuer string, leeway time.Duration) (Keys, error) {
	k := Keys{Audience: audience, Issuer: issuer, Leeway: leeway}
	switch alg {
	case "HS256":
		if len(secret) < 32 {
			return k, errors.New("GRIDGOV_JWT_SECRET: HS256 needs a secret of at least 32 bytes")
		}
		k.Method, k.Secret = jwt.SigningMethodHS256, []byte(secret)
		return k, nil
	case "RS256":
		k.Method = jwt.SigningMethodRS256
	case "ES256":
		k.Method = jwt.SigningMethodES256
	default:
		return k, fmt.Errorf("GRIDGOV_JWT_ALG: want HS256, RS256 or ES256, got %q", alg)
	}
	var err error
	if k.Public, err = readKey(publicFile, false); err != nil {
		return k, fmt.Errorf("GRIDGOV_JWT_PUBLIC_KEY_FILE: %w", err)
	}
	if privateFile != "" {
		if k.Private, err = readKey(privateFile, true); err != nil {
			return k, fmt.Errorf("GRIDGOV_JWT_PRIVATE_KEY_FILE: %w", err)
		}
	}
	return k, nil
}

func readKey(file string, private bool) (any, error) {
	if file == "" {
		return nil, errors.New("needed for RS256 and ES256")
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, errors.New("not a PEM file")
	}
	if private {
		if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
			return k, nil
		}
		if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
			return k, nil
		}
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	}
	return x509.ParsePKIXPublicKey(block.Bytes)
}

// Issue mints a token for subject acting as role over scope, valid for ttl from now.
func (k Keys) Issue(role, scope, subject string, ttl time.Duration, now time.Time) (string, error) {
	if err := CheckRoleScope(role, scope); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", errors.New("a token needs a positive lifetime")
	}
	c := Claims{Role: role, Scope: scope, RegisteredClaims: jwt.RegisteredClaims{
		Subject: subject, Issuer: k.Issuer, Audience: jwt.ClaimStrings{k.Audience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	var key any = k.Secret
	if k.Method != jwt.SigningMethodHS256 {
		if k.Private == nil {
			return "", errors.New("issuing RS256/ES256 tokens needs GRIDGOV_JWT_PRIVATE_KEY_FILE")
		}
		key = k.Private
	}
	return jwt.NewWithClaims(k.Method, c).SignedString(key)
}

// Verify checks a token's signature (with the configured algorithm only: never "none", never
// another), expiry (required), audience and issuer, and gives its claims.
func (k Keys) Verify(token string, now time.Time) (Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if k.Method == jwt.SigningMethodHS256 {
			return k.Secret, nil
		}
		return k.Public, nil
	}, jwt.WithValidMethods([]string{k.Method.Alg()}), jwt.WithExpirationRequired(), jwt.WithAudience(k.Audience),
		jwt.WithIssuer(k.Issuer), jwt.WithLeeway(k.Leeway), jwt.WithIssuedAt(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return Claims{}, err
	}
	if err := CheckRoleScope(c.Role, c.Scope); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// CheckRoleScope refuses unknown roles and scopes that do not fit the role.
func CheckRoleScope(role, scope string) error {
	if !slices.Contains(Roles, role) {
		return fmt.Errorf("unknown role %q", role)
	}
	s, err := ParseScope(scope)
	if err != nil {
		return err
	}
	switch role {
	case "city_admin", "statistician":
		if !s.City() {
			return fmt.Errorf("role %s has the city scope", role)
		}
	case "unit_admin":
		if s.UnitID == 0 {
			return errors.New("role unit_admin needs a unit's id as scope")
		}
	case "grid_worker", "party_member", "resident":
		// Their rows are a grid's: the demand list, the grid worked in, the grid lived in.
		if s.GridID == 0 {
			return fmt.Errorf("role %s needs a grid's id as scope", role)
		}
	default:
		if s.UnitID != 0 {
			return fmt.Errorf("role %s needs a place as scope, not a unit", role)
		}
		if s.level() < cadreLevels[role] {
			return fmt.Errorf("role %s works at most over one %s", role, levelNames[cadreLevels[role]])
		}
	}
	return nil
}

// Place levels, from the city down.
const (
	levelCity = iota
	levelStreet
	levelCommunity
	levelGrid
)

var levelNames = []string{"city", "street", "community", "grid"}

// cadreLevels are the highest levels a cadre role works over: a token scoped above its
// role's level (a community cadre over a street or the city) is refused when minted and when
// presented.
var cadreLevels = map[string]int{"street_cadre": levelStreet, "community_cadre": levelCommunity}

// level gives the level of a place scope as a token names it.
func (s Scope) level() int {
	switch {
	case s.GridID != 0:
		return levelGrid
	case s.CommunityID != 0:
		return levelCommunity
	case s.StreetID != 0:
		return levelStreet
	}
	return levelCity
}

// LevelName names the level of a place scope: city, street, community or grid.
func (s Scope) LevelName() string { return levelNames[s.level()] }

// LevelAbove reports whether level a lies above level b (the city above a street, a street
// above its communities); both are names LevelName gives.
func LevelAbove(a, b string) bool {
	i, j := slices.Index(levelNames, a), slices.Index(levelNames, b)
	return i >= 0 && j >= 0 && i < j
}

// ParseScope reads "city" or the global id of a street, community, grid or unit.
func ParseScope(scope string) (Scope, error) {
	if scope == ScopeCity {
		return Scope{}, nil
	}
	typ, id, ok := gid.Decode(scope)
	if !ok {
		return Scope{}, fmt.Errorf("scope %q is neither %q nor a place id", scope, ScopeCity)
	}
	switch typ {
	case "Street":
		return Scope{StreetID: id}, nil
	case "Community":
		return Scope{CommunityID: id}, nil
	case "Grid":
		return Scope{GridID: id}, nil
	case "Unit":
		return Scope{UnitID: id}, nil
	}
	return Scope{}, fmt.Errorf("scope must be the city, a street, a community, a grid or a unit, not a %s", typ)
}

// City reports whether the scope is the whole city.
func (s Scope) City() bool { return s == Scope{} }

// SubjectID reads a numeric subject (a person id); 0 when there is none.
func (c Claims) SubjectID() int64 {
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}
