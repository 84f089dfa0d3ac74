package evidence_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"slices"
	"strings"
	"testing"

	"gridgov/apperr"
	"gridgov/evidence"
	"gridgov/evidence/evidencetest"
)

func prepare(t *testing.T, data []byte, lim evidence.Limits) (*evidence.File, error) {
	t.Helper()
	return evidence.Prepare(context.Background(), bytes.NewReader(data), lim)
}

// TestPhotoMetadataIsStripped: a phone's JPEG with EXIF (GPS position, orientation) and a
// comment is stored re-encoded with no APP segment and no comment: none of its metadata
// survives, in the photo or in its thumbnail.
func TestPhotoMetadataIsStripped(t *testing.T) {
	sent := evidencetest.JPEG(64, 48, 1)
	if !bytes.Contains(sent, []byte("Exif\x00\x00")) || !bytes.Contains(sent, []byte(evidencetest.Camera)) ||
		!slices.Contains(evidencetest.JPEGMarkers(sent), 0xE1) {
		t.Fatal("the test photo lacks the metadata it is meant to carry")
	}
	f, err := prepare(t, sent, evidence.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"photo": f.Data, "thumbnail": f.Thumb} {
		for _, m := range evidencetest.JPEGMarkers(b) {
			if m >= 0xE0 && m <= 0xEF || m == 0xFE {
				t.Errorf("%s keeps segment FF%02X (markers %X)", name, m, evidencetest.JPEGMarkers(b))
			}
		}
		if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte(evidencetest.Camera)) {
			t.Errorf("%s keeps metadata", name)
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s does not decode: %v", name, err)
		}
	}
	if f.MediaType != evidence.JPEG || f.Width != 64 || f.Height != 48 || f.Key != evidence.Key(f.Data) || f.ThumbKey != evidence.Key(f.Thumb) {
		t.Errorf("prepared %s %d×%d key %s", f.MediaType, f.Width, f.Height, f.Key)
	}
	again, err := prepare(t, sent, evidence.DefaultLimits())
	if err != nil || again.Key != f.Key {
		t.Errorf("the same photo prepared twice gives another key: %v", err)
	}
}

// TestPhotoTurnedUpright: a photo whose EXIF says to turn it a quarter clockwise is stored
// turned: width and height swap, and the red top-left quadrant is at the top right.
func TestPhotoTurnedUpright(t *testing.T) {
	f, err := prepare(t, evidencetest.JPEG(80, 40, 6), evidence.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if f.Width != 40 || f.Height != 80 {
		t.Fatalf("stored %d×%d, want 40×80", f.Width, f.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatal(err)
	}
	red := func(x, y int) bool {
		r, _, b, _ := img.At(x, y).RGBA()
		return r > b
	}
	if !red(35, 5) || red(5, 5) || red(35, 75) {
		t.Errorf("the red quadrant is not at the top right: (35,5) %v, (5,5) %v, (35,75) %v", red(35, 5), red(5, 5), red(35, 75))
	}
}

// TestThumbnail: a thumbnail fits 320 × 320, keeps the proportions, and is never larger than
// its image.
func TestThumbnail(t *testing.T) {
	for _, size := range [][2]int{{1000, 500}, {300, 900}, {100, 50}} {
		f, err := prepare(t, evidencetest.PNG(size[0], size[1]), evidence.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(f.Thumb))
		if err != nil {
			t.Fatal(err)
		}
		w, h := size[0], size[1]
		if long := max(w, h); long > evidence.ThumbEdge {
			w, h = w*evidence.ThumbEdge/long, h*evidence.ThumbEdge/long
		}
		if cfg.Width != w || cfg.Height != h {
			t.Errorf("thumbnail of %v: %d×%d, want %d×%d", size, cfg.Width, cfg.Height, w, h)
		}
	}
}

// TestPNGKeptLosslessWithoutText: a PNG is stored as a PNG, its pixels the same, its text
// chunks gone.
func TestPNGKeptLosslessWithoutText(t *testing.T) {
	sent := evidencetest.PNG(30, 20)
	f, err := prepare(t, sent, evidence.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if f.MediaType != evidence.PNG || bytes.Contains(f.Data, []byte("tEXt")) || bytes.Contains(f.Data, []byte(evidencetest.Camera)) {
		t.Fatalf("stored %s keeps its text chunk", f.MediaType)
	}
	a, _ := png.Decode(bytes.NewReader(sent))
	b, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []image.Point{{0, 0}, {29, 19}, {10, 5}} {
		if a.At(p.X, p.Y) != b.At(p.X, p.Y) {
			t.Errorf("pixel %v changed", p)
		}
	}
}

// TestRefusedFiles: the type is read from the bytes; a name or declared type never makes a
// file acceptable.
func TestRefusedFiles(t *testing.T) {
	photo := evidencetest.JPEG(32, 32, 1)
	cases := []struct {
		name string
		data []byte
		lim  evidence.Limits
		code apperr.Code
		says string
	}{
		{"html named photo.jpg", []byte("<html><script>alert(1)</script></html>"), evidence.DefaultLimits(), apperr.BadUserInput, "text/html"},
		{"executable", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), evidence.DefaultLimits(), apperr.BadUserInput, "evidence is a JPEG or PNG"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), evidence.DefaultLimits(), apperr.BadUserInput, "image/gif"},
		{"webp", append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 24)...), evidence.DefaultLimits(), apperr.BadUserInput, "image/webp"},
		{"jpeg cut short", photo[:len(photo)/2], evidence.DefaultLimits(), apperr.BadUserInput, "not a readable"},
		{"jpeg header only", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), evidence.DefaultLimits(), apperr.BadUserInput, "not a readable"},
		{"pdf cut short", evidencetest.PDF()[:30], evidence.DefaultLimits(), apperr.BadUserInput, "cut short"},
		{"empty", nil, evidence.DefaultLimits(), apperr.BadUserInput, "empty"},
		{"too many pixels", photo, evidence.Limits{MaxBytes: 1 << 20, MaxPixels: 1000}, apperr.BadUserInput, "pixels"},
		{"too many bytes", photo, evidence.Limits{MaxBytes: int64(len(photo) - 1), MaxPixels: 1 << 20}, apperr.BodyLimit, "at most"},
	}
	for _, c := range cases {
		f, err := prepare(t, c.data, c.lim)
		if f != nil || apperr.CodeOf(err) != c.code || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v (%v), want %s saying %q", c.name, err, f, c.code, c.says)
		}
	}
}

// TestPDFKeptAsSent: a whole PDF is stored byte for byte, without thumbnail.
func TestPDFKeptAsSent(t *testing.T) {
	f, err := prepare(t, evidencetest.PDF(), evidence.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if f.MediaType != evidence.PDF || !bytes.Equal(f.Data, evidencetest.PDF()) || f.Thumb != nil || f.Width != 0 {
		t.Fatalf("stored %s, %d bytes, thumbnail %v", f.MediaType, len(f.Data), f.Thumb != nil)
	}
}
