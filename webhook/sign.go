package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery. The signature header holds one "v1=<hex>" per valid secret,
// comma-separated: two while a rotation's overlap lasts.
const (
	HeaderEventID   = "X-Gridgov-Event-Id"
	HeaderTimestamp = "X-Gridgov-Timestamp"
	HeaderSignature = "X-Gridgov-Signature"
)

// Sign gives the hex HMAC-SHA256, keyed by secret, of "<timestamp>.<body>".
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify is what a receiver does: the timestamp within tolerance of now, and one of the
// signature header's v1 values the HMAC of "<timestamp>.<body>" under secret.
func Verify(secret, timestamp, signatures string, body []byte, now time.Time, tolerance time.Duration) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > tolerance {
		return false
	}
	want := Sign(secret, ts, body)
	for _, s := range strings.Split(signatures, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(s), "v1="); ok && hmac.Equal([]byte(v), []byte(want)) {
			return true
		}
	}
	return false
}

// NewSecret gives a fresh endpoint secret: 32 random bytes, hex.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	return "whsec_" + hex.EncodeToString(b)
}
