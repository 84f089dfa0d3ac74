// Package evidence holds the photos and documents attached to issues and service records as
// evidence (佐证): where their bytes are kept, and how an uploaded file becomes bytes worth
// keeping.
//
// Storage is one small interface, Blobs, with two implementations: a directory (Dir, the
// default) and a bucket of an S3-compatible object store (S3), a choice of deployment, not of
// code; one suite of tests holds both to the same behaviour. It is content-addressed: the key
// of stored bytes is the SHA-256 of those bytes, in hex. That makes every write idempotent (a
// second Put of the same bytes finds them there and does nothing), makes a stored file
// immutable (bytes under a key cannot change without the key changing), gives downloads an
// exact ETag, and lets the same photo attached to two issues be stored once. The price is that deleting
// bytes needs to know that nothing refers to them any more: the rows of Postgres are the
// references, so the deletion of unreferenced bytes is decided by the store package, under a
// lock per key that every write of that key holds until its transaction ends (store.Store
// ReleaseEvidence). Blobs itself knows nothing of references: Put, Open, Stat, Delete.
//
// An upload is never stored as sent (Prepare). Its type is sniffed from its bytes, not taken
// from its name or declared type; only JPEG and PNG photos and PDF documents are accepted.
// Photos are decoded — a file that only looks like an image is refused — turned upright by
// their EXIF orientation and encoded again, so nothing of the original's metadata (EXIF with
// GPS position, camera, owner; XMP; comments) survives, and a JPEG thumbnail is made for the
// console. WebP is refused: decoding it needs a module beyond the standard library, and the
// phones and browsers that make WebP can send JPEG.
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
)

// Blobs keeps evidence bytes by key: the SHA-256 of the bytes, in lowercase hex.
type Blobs interface {
	// Put stores b under Key(b) and gives the key. Storing bytes that are there already does
	// nothing; bytes a Put reported stored survive a crash.
	Put(ctx context.Context, b []byte) (string, error)
	// Open gives the bytes stored under key, to read and seek; ErrNotFound when none are.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	// Stat gives the size of the bytes stored under key; ErrNotFound when none are.
	Stat(ctx context.Context, key string) (int64, error)
	// Delete removes the bytes stored under key; removing absent bytes is no error.
	Delete(ctx context.Context, key string) error
}

// ErrNotFound: no bytes are stored under the key.
var ErrNotFound = errors.New("evidence: no bytes stored under this key")

// errBadKey: a key that is not a SHA-256 in lowercase hex never reaches a store.
var errBadKey = errors.New("evidence: a key is a SHA-256 in lowercase hex")

// Key gives the key of b: its SHA-256 in lowercase hex.
func Key(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ValidKey reports whether key can name stored bytes: 64 lowercase hex digits, so that it is
// safe as a file name and an object name.
func ValidKey(key string) bool {
	if len(key) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
