package evidence

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"gridgov/apperr"
)

// The media types evidence is stored as.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	PDF  = "application/pdf"
)

// Limits bound what Prepare accepts.
type Limits struct {
	// MaxBytes is the largest file accepted, as sent.
	MaxBytes int64
	// MaxPixels is the largest image accepted, in pixels (width × height): decoding one costs
	// up to four bytes a pixel of memory, and more when it must be turned upright.
	MaxPixels int
}

// DefaultLimits: 10 MiB a file, 24 megapixels (6000 × 4000) an image.
func DefaultLimits() Limits { return Limits{MaxBytes: 10 << 20, MaxPixels: 24_000_000} }

// ThumbEdge is the long edge of a thumbnail, in pixels.
const ThumbEdge = 320

// Quality of the JPEG encodings: photos, then thumbnails.
const (
	photoQuality = 90
	thumbQuality = 80
)

// File is an upload made ready to store: the bytes to keep, what they are, and an image's
// thumbnail.
type File struct {
	Data      []byte
	Key       string // Key(Data)
	MediaType string
	// Width and Height of an image, upright; zero for a document.
	Width, Height int
	// Thumb is an image's JPEG thumbnail (nil for a document), ThumbKey its key.
	Thumb    []byte
	ThumbKey string
}

// busy bounds the images decoded at once: each takes tens of megabytes while it is.
var busy = make(chan struct{}, 2)

// Prepare reads an upload and gives what to store of it. Its type is sniffed from its bytes;
// a JPEG or PNG is decoded, turned upright and encoded again without metadata, with a
// thumbnail; a PDF is kept as it is, once it looks whole. Anything else, an empty file, or an
// image that does not decode or is too large, is BAD_USER_INPUT naming the field "file"; a
// file beyond lim.MaxBytes is BODY_LIMIT.
func Prepare(ctx context.Context, r io.Reader, lim Limits) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, apperr.Wrap(err, apperr.BadUserInput, "the file could not be read")
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, apperr.New(apperr.BodyLimit, "a file may hold at most %d bytes", lim.MaxBytes)
	}
	if len(data) == 0 {
		return nil, apperr.Invalid("file", "the file is empty")
	}
	switch sniffed := http.DetectContentType(data); sniffed {
	case JPEG, PNG:
		select {
		case busy <- struct{}{}:
			defer func() { <-busy }()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return prepareImage(data, sniffed, lim)
	case PDF:
		if !wholePDF(data) {
			return nil, apperr.Invalid("file", "the PDF document is cut short or damaged")
		}
		return &File{Data: data, Key: Key(data), MediaType: PDF}, nil
	default:
		return nil, apperr.Invalid("file", "the file's content is %s; evidence is a JPEG or PNG photo or a PDF document", sniffed)
	}
}

// prepareImage decodes an image of media type mt, turns it upright and encodes it again, with
// its thumbnail.
func prepareImage(data []byte, mt string, lim Limits) (*File, error) {
	decodeConfig, decode := jpeg.DecodeConfig, jpeg.Decode
	if mt == PNG {
		decodeConfig, decode = png.DecodeConfig, png.Decode
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, apperr.Invalid("file", "the file is not a readable %s image", mt)
	}
	if cfg.Width*cfg.Height > lim.MaxPixels || cfg.Width > 1<<16 || cfg.Height > 1<<16 {
		return nil, apperr.Invalid("file", "the image has %d × %d pixels; at most %d in all are accepted", cfg.Width, cfg.Height, lim.MaxPixels)
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return nil, apperr.Invalid("file", "the file is not a readable %s image", mt)
	}
	if mt == JPEG {
		img = upright(img, exifOrientation(data))
	}
	var out bytes.Buffer
	if mt == JPEG {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: photoQuality})
	} else {
		err = png.Encode(&out, img)
	}
	if err != nil {
		return nil, err
	}
	var thumb bytes.Buffer
	if err := jpeg.Encode(&thumb, thumbnail(img, ThumbEdge), &jpeg.Options{Quality: thumbQuality}); err != nil {
		return nil, err
	}
	b := img.Bounds()
	return &File{Data: out.Bytes(), Key: Key(out.Bytes()), MediaType: mt, Width: b.Dx(), Height: b.Dy(),
		Thumb: thumb.Bytes(), ThumbKey: Key(thumb.Bytes())}, nil
}

// wholePDF reports whether data looks like a whole PDF document: its header, and the end-of-file
// marker within its last kilobyte.
func wholePDF(data []byte) bool {
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return false
	}
	return bytes.Contains(data[max(0, len(data)-1024):], []byte("%%EOF"))
}

// thumbnail scales img down to fit edge × edge (never up), each pixel the mean of up to 4 × 4
// samples of the area it covers, over white where img is transparent.
func thumbnail(img image.Image, edge int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	tw, th := w, h
	switch {
	case w >= h && w > edge:
		tw, th = edge, max(1, h*edge/w)
	case h > w && h > edge:
		tw, th = max(1, w*edge/h), edge
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	at := pixels(img)
	for ty := range th {
		y0, y1 := b.Min.Y+ty*h/th, b.Min.Y+(ty+1)*h/th
		for tx := range tw {
			x0, x1 := b.Min.X+tx*w/tw, b.Min.X+(tx+1)*w/tw
			dst.SetRGBA(tx, ty, mean(at, x0, y0, max(x1, x0+1), max(y1, y0+1)))
		}
	}
	return dst
}

// mean gives the mean colour of up to 4 × 4 samples of the area [x0, x1) × [y0, y1) of the
// image at reads (pixels: no allocation per sample), laid over white.
func mean(at func(x, y int) (r, g, b, a uint8), x0, y0, x1, y1 int) color.RGBA {
	sx, sy := max(1, (x1-x0)/4), max(1, (y1-y0)/4)
	var r, g, b, n uint64
	for y := y0; y < y1; y += sy {
		for x := x0; x < x1; x += sx {
			cr, cg, cb, ca := at(x, y) // alpha-premultiplied: over white adds what alpha leaves
			r, g, b, n = r+uint64(cr)+0xff-uint64(ca), g+uint64(cg)+0xff-uint64(ca), b+uint64(cb)+0xff-uint64(ca), n+1
		}
	}
	return color.RGBA{R: uint8(r / n), G: uint8(g / n), B: uint8(b / n), A: 0xff}
}
