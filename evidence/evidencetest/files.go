package evidencetest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// Red and Blue are the colours of the test photos: the top-left quadrant red, the rest blue,
// so that a turn shows where the quadrant went.
var (
	Red  = color.RGBA{R: 220, G: 20, B: 20, A: 255}
	Blue = color.RGBA{R: 20, G: 20, B: 220, A: 255}
)

// Camera is the text the test photos carry in a comment segment: metadata a stored photo
// must not keep.
const Camera = "TestPhone X1 by gridgov"

func quadrant(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := Blue
			if x < w/2 && y < h/2 {
				c = Red
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// JPEG gives a w × h photo (quadrant colours) as a phone would send it: EXIF in an APP1
// segment with the orientation o and a GPS position (31°36'12.34" N, 117°52' E: Chaohu), and
// a comment segment naming the camera.
func JPEG(w, h int, o uint16) []byte {
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, quadrant(w, h), &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	b := plain.Bytes()
	out := append([]byte{}, b[:2]...) // SOI
	out = append(out, segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(o)...))...)
	out = append(out, segment(0xFE, []byte(Camera))...)
	return append(out, b[2:]...)
}

// segment is a JPEG marker segment: FF, the marker, the length (itself included), payload.
func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// exifTIFF writes EXIF's TIFF structure by hand (little-endian): IFD0 with Orientation and
// the pointer to a GPS IFD holding the latitude's reference and value.
func exifTIFF(o uint16) []byte {
	le := binary.LittleEndian
	var t []byte
	u16 := func(v uint16) { t = le.AppendUint16(t, v) }
	u32 := func(v uint32) { t = le.AppendUint32(t, v) }
	entry := func(tag, typ uint16, count, value uint32) { u16(tag); u16(typ); u32(count); u32(value) }
	t = append(t, 'I', 'I')
	u16(42)
	u32(8) // IFD0 at 8
	const gpsIFD = 8 + 2 + 2*12 + 4
	u16(2)
	entry(0x0112, 3, 1, uint32(o)) // Orientation, SHORT, in the value's first two bytes
	entry(0x8825, 4, 1, gpsIFD)    // GPSInfo, LONG: the GPS IFD's offset
	u32(0)
	const latitude = gpsIFD + 2 + 3*12 + 4
	u16(3)
	entry(0x0001, 2, 2, uint32('N'))  // GPSLatitudeRef, ASCII "N\0"
	entry(0x0002, 5, 3, latitude)     // GPSLatitude, three RATIONALs
	entry(0x0004, 5, 3, latitude+3*8) // GPSLongitude
	u32(0)
	for _, r := range [][2]uint32{{31, 1}, {36, 1}, {1234, 100}, {117, 1}, {52, 1}, {0, 1}} {
		u32(r[0])
		u32(r[1])
	}
	return t
}

// PNG gives a w × h image (quadrant colours) as a PNG carrying a text chunk naming the camera.
func PNG(w, h int) []byte {
	var plain bytes.Buffer
	if err := png.Encode(&plain, quadrant(w, h)); err != nil {
		panic(err)
	}
	b := plain.Bytes()
	const afterIHDR = 8 + 8 + 13 + 4 // signature, then IHDR's length, type, data and CRC
	text := append([]byte("Comment\x00"), Camera...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, text...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := append([]byte{}, b[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, b[afterIHDR:]...)
}

// PDF gives a small, whole PDF document.
func PDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
		"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" +
		"trailer << /Root 1 0 R >>\n%%EOF\n")
}

// JPEGMarkers lists the markers of a JPEG's segments before its image data.
func JPEGMarkers(b []byte) []byte {
	var out []byte
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		m := b[i+1]
		out = append(out, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return out
}
