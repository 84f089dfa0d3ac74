package geo

import "math"

// GCJ-02 (国测局坐标, "Mars coordinates") is the datum Chinese map SDKs (AMap, Tencent,
// and Baidu before its own BD-09 step) report positions in: WGS-84 shifted by a published
// nonlinear offset of a few hundred metres inside China, none outside. Converting forward
// is a formula; its inverse has no closed form, so ToWGS84 inverts it by fixed-point
// iteration, which converges to well under a millimetre in a few steps.

// Krasovsky 1940 ellipsoid, as the offset formula uses it.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
)

// InChina says whether the GCJ-02 offset applies at p (a coarse box, as the formula's
// published implementations use).
func InChina(p Point) bool {
	return p.Lon >= 72.004 && p.Lon <= 137.8347 && p.Lat >= 0.8293 && p.Lat <= 55.8271
}

// ToGCJ02 shifts a WGS-84 point to GCJ-02.
func ToGCJ02(p Point) Point {
	if !InChina(p) {
		return p
	}
	dLon, dLat := gcjDelta(p)
	return Point{p.Lon + dLon, p.Lat + dLat}
}

// ToWGS84 converts a GCJ-02 point to WGS-84: the point whose GCJ-02 shift is g.
func ToWGS84(g Point) Point {
	if !InChina(g) {
		return g
	}
	w := g
	for range 30 {
		c := ToGCJ02(w)
		dLon, dLat := g.Lon-c.Lon, g.Lat-c.Lat
		w.Lon += dLon
		w.Lat += dLat
		if math.Abs(dLon) < 1e-10 && math.Abs(dLat) < 1e-10 {
			break
		}
	}
	return w
}

// gcjDelta is the offset, in degrees, GCJ-02 adds at p.
func gcjDelta(p Point) (dLon, dLat float64) {
	x, y := p.Lon-105, p.Lat-35
	dLat = offsetLat(x, y)
	dLon = offsetLon(x, y)
	rad := p.Lat / 180 * math.Pi
	magic := 1 - gcjEE*math.Sin(rad)*math.Sin(rad)
	sq := math.Sqrt(magic)
	dLat = dLat * 180 / ((gcjA * (1 - gcjEE)) / (magic * sq) * math.Pi)
	dLon = dLon * 180 / (gcjA / sq * math.Cos(rad) * math.Pi)
	return dLon, dLat
}

func offsetLat(x, y float64) float64 {
	r := -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	r += (20*math.Sin(y*math.Pi) + 40*math.Sin(y/3*math.Pi)) * 2 / 3
	r += (160*math.Sin(y/12*math.Pi) + 320*math.Sin(y*math.Pi/30)) * 2 / 3
	return r
}

func offsetLon(x, y float64) float64 {
	r := 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	r += (20*math.Sin(x*math.Pi) + 40*math.Sin(x/3*math.Pi)) * 2 / 3
	r += (150*math.Sin(x/12*math.Pi) + 300*math.Sin(x/30*math.Pi)) * 2 / 3
	return r
}
