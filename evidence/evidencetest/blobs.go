// Package evidencetest holds what the tests of evidence share: the suite every evidence store
// (evidence.Blobs) passes, so that the directory and the S3 bucket are held to the same
// behaviour by the same tests, and the files tests upload, built byte by byte.
package evidencetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"sync"
	"testing"

	"gridgov/evidence"
)

// Run runs the suite against b, which must start empty of the bytes it writes (random ones).
func Run(t *testing.T, b evidence.Blobs) {
	t.Run("put then read", func(t *testing.T) { putThenRead(t, b) })
	t.Run("same bytes twice", func(t *testing.T) { sameBytesTwice(t, b) })
	t.Run("delete", func(t *testing.T) { deleteBytes(t, b) })
	t.Run("absent and malformed keys", func(t *testing.T) { absent(t, b) })
	t.Run("concurrent puts", func(t *testing.T) { concurrentPuts(t, b) })
}

// Random gives n random bytes: content no earlier run stored.
func Random(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// Read reads the bytes stored under key.
func Read(t testing.TB, b evidence.Blobs, key string) []byte {
	t.Helper()
	f, err := b.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data
}

func putThenRead(t *testing.T, b evidence.Blobs) {
	ctx := context.Background()
	data := Random(t, 100_000)
	key, err := b.Put(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if key != evidence.Key(data) || !evidence.ValidKey(key) {
		t.Fatalf("key %s, want the SHA-256 of the bytes %s", key, evidence.Key(data))
	}
	if got := Read(t, b, key); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, not the %d stored", len(got), len(data))
	}
	if n, err := b.Stat(ctx, key); err != nil || n != int64(len(data)) {
		t.Fatalf("stat: %d, %v; want %d", n, err, len(data))
	}
	// Read from a position: downloads serve ranges.
	f, err := b.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(99_990, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	tail, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(tail, data[99_990:]) {
		t.Fatalf("read from 99990: %v, %v", tail, err)
	}
}

func sameBytesTwice(t *testing.T, b evidence.Blobs) {
	ctx := context.Background()
	data := Random(t, 1000)
	k1, err := b.Put(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := b.Put(ctx, bytes.Clone(data))
	if err != nil || k1 != k2 {
		t.Fatalf("second put: %s, %v; first %s", k2, err, k1)
	}
	if got := Read(t, b, k1); !bytes.Equal(got, data) {
		t.Fatal("bytes changed by a second put")
	}
}

func deleteBytes(t *testing.T, b evidence.Blobs) {
	ctx := context.Background()
	key, err := b.Put(ctx, Random(t, 10))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, key); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("stat after delete: %v, want ErrNotFound", err)
	}
	if _, err := b.Open(ctx, key); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("open after delete: %v, want ErrNotFound", err)
	}
	if err := b.Delete(ctx, key); err != nil {
		t.Fatalf("deleting absent bytes: %v", err)
	}
}

func absent(t *testing.T, b evidence.Blobs) {
	ctx := context.Background()
	if _, err := b.Open(ctx, evidence.Key(Random(t, 8))); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("open of absent bytes: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "../../etc/passwd", "ABCDEF", evidence.Key(nil)[:63] + "/"} {
		if _, err := b.Open(ctx, bad); err == nil || errors.Is(err, evidence.ErrNotFound) {
			t.Errorf("open %q: %v, want a refused key", bad, err)
		}
		if err := b.Delete(ctx, bad); err == nil {
			t.Errorf("delete %q: no error", bad)
		}
	}
}

func concurrentPuts(t *testing.T, b evidence.Blobs) {
	ctx := context.Background()
	data := Random(t, 300_000)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			if _, err := b.Put(ctx, data); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := Read(t, b, evidence.Key(data)); !bytes.Equal(got, data) {
		t.Fatal("concurrent puts of the same bytes left other bytes")
	}
}
