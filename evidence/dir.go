package evidence

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir keeps evidence bytes as files under a directory: <root>/<first two hex digits>/<key>,
// so that no directory holds more than a 256th of the files. A file is written under
// <root>/.tmp, flushed to disk, renamed into place and its directory flushed: a reader never
// sees a partial file, and a file Put reported stored survives a crash. A crash mid-write
// leaves a temporary file, which the next OpenDir removes.
type Dir struct {
	root string
	tmp  string
}

var _ Blobs = (*Dir)(nil)

// OpenDir opens (creating it if need be) the directory root as a store.
func OpenDir(root string) (*Dir, error) {
	if root == "" {
		return nil, errors.New("evidence: no directory given")
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	d := &Dir{root: root, tmp: filepath.Join(root, ".tmp")}
	if err := os.MkdirAll(d.tmp, 0o750); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	// What a crash left half written is no one's.
	leftovers, err := os.ReadDir(d.tmp)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	for _, e := range leftovers {
		_ = os.Remove(filepath.Join(d.tmp, e.Name()))
	}
	return d, nil
}

// Root gives the directory.
func (d *Dir) Root() string { return d.root }

func (d *Dir) path(key string) string { return filepath.Join(d.root, key[:2], key) }

// Put writes b under its key, unless a file of its size is there already.
func (d *Dir) Put(_ context.Context, b []byte) (string, error) {
	key := Key(b)
	path := d.path(key)
	if fi, err := os.Stat(path); err == nil && fi.Size() == int64(len(b)) {
		return key, nil
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(dir, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("evidence: %w", err)
		}
		if err := syncDir(d.root); err != nil {
			return "", err
		}
	}
	if err := d.write(path, b); err != nil {
		return "", err
	}
	return key, syncDir(dir)
}

// write writes b to a temporary file, flushes it and renames it to path.
func (d *Dir) write(path string, b []byte) error {
	f, err := os.CreateTemp(d.tmp, filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	tmp := f.Name()
	_, err = io.Copy(f, bytes.NewReader(b))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("evidence: %w", err)
	}
	return nil
}

// syncDir flushes a directory's entries (a file created or renamed in it) to disk.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	return nil
}

// Open opens the file of key.
func (d *Dir) Open(_ context.Context, key string) (io.ReadSeekCloser, error) {
	if !ValidKey(key) {
		return nil, errBadKey
	}
	f, err := os.Open(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// Stat gives the size of the file of key.
func (d *Dir) Stat(_ context.Context, key string) (int64, error) {
	if !ValidKey(key) {
		return 0, errBadKey
	}
	fi, err := os.Stat(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// Delete removes the file of key, and flushes its directory.
func (d *Dir) Delete(_ context.Context, key string) error {
	if !ValidKey(key) {
		return errBadKey
	}
	path := d.path(key)
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	return syncDir(filepath.Dir(path))
}
