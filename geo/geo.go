// Package geo holds the plane geometry gridgov needs outside the database: points and
// rectangles in WGS-84 longitude/latitude, their EWKB encoding (how Go hands geometry to
// PostGIS, in COPY and in parameters), GeoJSON of points, and the conversion of GCJ-02
// coordinates (the offset datum of Chinese map SDKs) to WGS-84. Everything spatial that
// decides something — which grid holds a point, what lies in a box — is done by PostGIS.
package geo

import (
	"encoding/binary"
	"fmt"
	"math"
)

// SRID is the spatial reference every stored coordinate is in: WGS-84 longitude/latitude.
const SRID = 4326

// A Point is a WGS-84 position in degrees.
type Point struct {
	Lon, Lat float64
}

// Valid says whether p is a position on Earth.
func (p Point) Valid() bool {
	return !math.IsNaN(p.Lon) && !math.IsNaN(p.Lat) && p.Lon >= -180 && p.Lon <= 180 && p.Lat >= -90 && p.Lat <= 90
}

// A Rect is an axis-aligned box: West ≤ lon ≤ East, South ≤ lat ≤ North.
type Rect struct {
	West, South, East, North float64
}

// Center is the middle of r.
func (r Rect) Center() Point { return Point{(r.West + r.East) / 2, (r.South + r.North) / 2} }

// At is the point at fractions (fx, fy) of r's width and height from its south-west corner.
func (r Rect) At(fx, fy float64) Point {
	return Point{r.West + fx*(r.East-r.West), r.South + fy*(r.North-r.South)}
}

// Split cuts r into len(weights) rectangles whose areas follow the weights, without gap or
// overlap: the list is halved by weight and r cut across its longer side (in metres)
// accordingly, recursively, so the parts stay close to square. Neighbours share their
// cut coordinates exactly, so in PostGIS the parts' union is r.
func (r Rect) Split(weights []float64) []Rect {
	if len(weights) == 0 {
		return nil
	}
	if len(weights) == 1 {
		return []Rect{r}
	}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	// The first half: the shortest prefix holding at least half the weight, one item at least,
	// one item left over at least.
	k, sum := 0, 0.0
	for k < len(weights)-1 && (k == 0 || sum < total/2) {
		sum += weights[k]
		k++
	}
	f := sum / total
	var a, b Rect
	if (r.East-r.West)*math.Cos(r.Center().Lat*math.Pi/180) >= r.North-r.South {
		cut := r.West + f*(r.East-r.West)
		a, b = Rect{r.West, r.South, cut, r.North}, Rect{cut, r.South, r.East, r.North}
	} else {
		cut := r.South + f*(r.North-r.South)
		a, b = Rect{r.West, r.South, r.East, cut}, Rect{r.West, cut, r.East, r.North}
	}
	return append(a.Split(weights[:k]), b.Split(weights[k:])...)
}

// EWKB encodes p as PostGIS extended well-known binary (little endian, with the SRID).
func (p Point) EWKB() []byte {
	b := ewkbHeader(1)
	return appendFloats(b, p.Lon, p.Lat)
}

// EWKB encodes r as a PostGIS MultiPolygon of one polygon (its outer ring, counter-clockwise).
func (r Rect) EWKB() []byte {
	b := ewkbHeader(6)
	b = binary.LittleEndian.AppendUint32(b, 1) // one polygon
	b = append(b, 1)                           // little endian
	b = binary.LittleEndian.AppendUint32(b, 3) // polygon, no SRID inside a multi
	b = binary.LittleEndian.AppendUint32(b, 1) // one ring
	b = binary.LittleEndian.AppendUint32(b, 5) // five points, closed
	return appendFloats(b, r.West, r.South, r.East, r.South, r.East, r.North, r.West, r.North, r.West, r.South)
}

// ewkbHeader starts a geometry of type kind with SRID 4326.
func ewkbHeader(kind uint32) []byte {
	b := []byte{1}
	b = binary.LittleEndian.AppendUint32(b, kind|0x20000000)
	return binary.LittleEndian.AppendUint32(b, SRID)
}

func appendFloats(b []byte, fs ...float64) []byte {
	for _, f := range fs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	return b
}

// GeoJSON writes p as a GeoJSON Point.
func (p Point) GeoJSON() string {
	return fmt.Sprintf(`{"type":"Point","coordinates":[%s,%s]}`, coord(p.Lon), coord(p.Lat))
}

// coord writes a coordinate to 7 decimals (about a centimetre), as PostGIS's ST_AsGeoJSON would.
func coord(f float64) string {
	return fmt.Sprintf("%.7g", math.Round(f*1e7)/1e7)
}
