package etl

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// DevPseudonymKey is the pseudonym key used when GRIDGOV_PSEUDONYM_KEY is unset. It is fine
// for development and tests only: anyone who knows it can test whether a key belongs to a
// given person id. Production sets its own secret, and never changes it (every key would).
const DevPseudonymKey = "gridgov-development-pseudonym-key"

// Pseudonymizer turns person ids into stable pseudonymous keys: HMAC-SHA256 of the id under a
// secret, truncated to 64 bits. Without the secret a key cannot be traced back to the person
// (ids are small integers, so a plain hash could be reversed by trying them all).
type Pseudonymizer struct{ secret []byte }

// NewPseudonymizer keys the hash with secret.
func NewPseudonymizer(secret string) *Pseudonymizer {
	return &Pseudonymizer{secret: []byte(secret)}
}

// Key returns the pseudonymous key of person id.
func (p *Pseudonymizer) Key(id int64) uint64 {
	m := hmac.New(sha256.New, p.secret)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	m.Write(b[:])
	return binary.BigEndian.Uint64(m.Sum(nil)[:8])
}
