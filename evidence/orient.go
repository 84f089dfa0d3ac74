package evidence

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
)

// A phone stores a photo as its sensor saw it and says in EXIF (tag 0x0112, Orientation) how
// to turn it for display. Re-encoding drops EXIF, so the turn is applied to the pixels first.

// exifOrientation gives the EXIF orientation (1 to 8) of a JPEG, 1 when it says none.
func exifOrientation(jpg []byte) int {
	for i := 2; i+4 <= len(jpg); {
		if jpg[i] != 0xFF {
			return 1
		}
		marker := jpg[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD8 || marker == 0x01 || marker >= 0xD0 && marker <= 0xD7: // no length
			i += 2
			continue
		case marker == 0xDA || marker == 0xD9: // image data: no metadata follows
			return 1
		}
		n := int(binary.BigEndian.Uint16(jpg[i+2:]))
		if n < 2 || i+2+n > len(jpg) {
			return 1
		}
		if seg := jpg[i+4 : i+2+n]; marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads the Orientation tag of the first IFD of a TIFF header (EXIF's
// layout), 1 when absent or malformed.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 1
	}
	ifd := int(order.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	count := int(order.Uint16(t[ifd:]))
	for e := range count {
		at := ifd + 2 + 12*e
		if at+12 > len(t) {
			return 1
		}
		if order.Uint16(t[at:]) == 0x0112 && order.Uint16(t[at+2:]) == 3 { // Orientation, a SHORT
			if o := int(order.Uint16(t[at+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// upright turns img as EXIF orientation o says it is to be shown; 1 (or unknown) leaves it.
func upright(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 { // a quarter turn: width and height swap
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	at := pixels(img)
	for y := range h {
		for x := range w {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // half a turn
				dx, dy = w-1-x, h-1-y
			case 4: // upside down, mirrored
				dx, dy = x, h-1-y
			case 5: // transposed
				dx, dy = y, x
			case 6: // a quarter turn clockwise
				dx, dy = h-1-y, x
			case 7: // transversed
				dx, dy = h-1-y, w-1-x
			case 8: // a quarter turn counter-clockwise
				dx, dy = y, w-1-x
			}
			i := dst.PixOffset(dx, dy)
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = at(b.Min.X+x, b.Min.Y+y)
		}
	}
	return dst
}

// pixels gives a reader of img's pixels as 8-bit RGBA: a photo (YCbCr, as JPEG decodes) read
// from its planes, any other image through At.
func pixels(img image.Image) func(x, y int) (r, g, b, a uint8) {
	if yc, ok := img.(*image.YCbCr); ok {
		return func(x, y int) (uint8, uint8, uint8, uint8) {
			yi, ci := yc.YOffset(x, y), yc.COffset(x, y)
			r, g, b := color.YCbCrToRGB(yc.Y[yi], yc.Cb[ci], yc.Cr[ci])
			return r, g, b, 0xff
		}
	}
	return func(x, y int) (uint8, uint8, uint8, uint8) {
		r, g, b, a := img.At(x, y).RGBA()
		return uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)
	}
}
