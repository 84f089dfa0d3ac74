package evidence_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"

	"gridgov/evidence"
)

// noisyJPEG is a w×h photo of gradients and grain, encoded at the highest quality that keeps
// it within maxBytes: a phone photo as large as the limits accept.
func noisyJPEG(b *testing.B, w, h int, maxBytes int64) []byte {
	b.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			n := uint8(rng.IntN(48))
			img.SetRGBA(x, y, color.RGBA{uint8(x*200/w) + n, uint8(y*200/h) + n, uint8((x+y)%200) + n, 255})
		}
	}
	for q := 95; q > 10; q -= 5 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			b.Fatal(err)
		}
		if int64(buf.Len()) <= maxBytes {
			return buf.Bytes()
		}
	}
	b.Fatalf("no quality keeps a %d×%d photo within %d bytes", w, h, maxBytes)
	return nil
}

// BenchmarkPrepare measures what an accepted upload costs before it is stored: a typical
// phone photo, the largest photo the default limits accept (24 megapixels, up to 10 MiB) and
// the largest PDF. Time and bytes allocated are per file (-benchmem); MB/s is of the file as
// sent.
//
//	go test ./evidence -run '^$' -bench Prepare -benchmem
func BenchmarkPrepare(b *testing.B) {
	lim := evidence.DefaultLimits()
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, lim.MaxBytes-20)...)
	pdf = append(pdf, []byte("\n%%EOF\n")...)
	files := []struct {
		name string
		data func() []byte
	}{
		{"photo_12MP", func() []byte { return noisyJPEG(b, 4000, 3000, lim.MaxBytes) }},
		{"photo_24MP_largest", func() []byte { return noisyJPEG(b, 6000, 4000, lim.MaxBytes) }},
		{"pdf_10MiB", func() []byte { return pdf }},
	}
	for _, f := range files {
		b.Run(f.name, func(b *testing.B) {
			data := f.data()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := evidence.Prepare(context.Background(), bytes.NewReader(data), lim); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data))/(1<<20), "MiB-sent")
		})
	}
}
