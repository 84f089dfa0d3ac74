package evidence_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"gridgov/evidence"
	"gridgov/evidence/evidencetest"
)

func TestDirStore(t *testing.T) {
	d, err := evidence.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	evidencetest.Run(t, d)
}

// TestDirWritesOnce: a second Put of the same bytes leaves the file as it was (the same
// inode, never rewritten), and no temporary file stays behind.
func TestDirWritesOnce(t *testing.T) {
	root := t.TempDir()
	d, err := evidence.OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	data := evidencetest.Random(t, 5000)
	key, err := d.Put(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, key[:2], key)
	first, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the file is not at %s: %v", path, err)
	}
	if _, err := d.Put(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	second, err := os.Stat(path)
	if err != nil || !os.SameFile(first, second) || !second.ModTime().Equal(first.ModTime()) {
		t.Fatalf("the second put rewrote the file: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(root, ".tmp")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestDirDropsHalfWrittenFiles: what a crash left in the temporary directory is removed when
// the store is opened again; stored files stay.
func TestDirDropsHalfWrittenFiles(t *testing.T) {
	root := t.TempDir()
	d, err := evidence.OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	key, err := d.Put(context.Background(), []byte("kept"))
	if err != nil {
		t.Fatal(err)
	}
	half := filepath.Join(root, ".tmp", key+".123")
	if err := os.WriteFile(half, []byte("ha"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err = evidence.OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(half); !os.IsNotExist(err) {
		t.Fatalf("half-written file kept: %v", err)
	}
	if n, err := d.Stat(context.Background(), key); err != nil || n != 4 {
		t.Fatalf("stored file: %d, %v", n, err)
	}
}
