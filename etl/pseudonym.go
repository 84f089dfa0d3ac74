package etl

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"
)

// DevPseudonymKey is the pseudonym key used when GRIDGOV_PSEUDONYM_KEY is unset. It is fine
// for development and tests only: anyone who knows it can test whether a key belongs to a
// given person id. Production sets its own secret, and never changes it (every key would).
const DevPseudonymKey = "gridgov-development-pseudonym-key"

// Pseudonymizer turns person ids into stable pseudonymous keys: HMAC-SHA256 of the id under a
// secret, truncated to 64 bits. Without the secret a key cannot be traced back to the person
// (ids are small integers, so a plain hash could be reversed by trying them all).
type Pseudonymizer struct {
	secret []byte
	pool   sync.Pool // of *keyer
}

// NewPseudonymizer keys the hash with secret.
func NewPseudonymizer(secret string) *Pseudonymizer {
	return &Pseudonymizer{secret: []byte(secret)}
}

// Key returns the pseudonymous key of person id. It is safe for concurrent use.
func (p *Pseudonymizer) Key(id int64) uint64 {
	k, _ := p.pool.Get().(*keyer)
	if k == nil {
		k = p.keyer()
	}
	defer p.pool.Put(k)
	return k.key(id)
}

// keyer computes keys with one HMAC state, reset between ids instead of keyed anew (the
// secret's padded blocks are hashed once, and nothing is allocated per key). One goroutine
// at a time.
type keyer struct {
	mac hash.Hash
	in  [8]byte
	sum []byte
}

func (p *Pseudonymizer) keyer() *keyer {
	return &keyer{mac: hmac.New(sha256.New, p.secret), sum: make([]byte, 0, sha256.Size)}
}

func (k *keyer) key(id int64) uint64 {
	k.mac.Reset()
	binary.BigEndian.PutUint64(k.in[:], uint64(id))
	k.mac.Write(k.in[:])
	k.sum = k.mac.Sum(k.sum[:0])
	return binary.BigEndian.Uint64(k.sum[:8])
}
