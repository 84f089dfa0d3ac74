package geo

import (
	"math"
	"testing"
)

// metres is the rough ground distance between two nearby points.
func metres(a, b Point) float64 {
	dy := (a.Lat - b.Lat) * 111_320
	dx := (a.Lon - b.Lon) * 111_320 * math.Cos(a.Lat*math.Pi/180)
	return math.Hypot(dx, dy)
}

func TestGCJ02RoundTrip(t *testing.T) {
	for _, w := range []Point{{117.87, 31.60}, {117.95, 31.65}, {116.3975, 39.9087}, {121.47, 31.23}, {113.26, 23.13}} {
		g := ToGCJ02(w)
		if d := metres(w, g); d < 50 || d > 1000 {
			t.Errorf("%v: GCJ-02 shift %.0f m, want a few hundred metres", w, d)
		}
		back := ToWGS84(g)
		if d := metres(w, back); d > 1e-3 {
			t.Errorf("%v: back from GCJ-02 %v is %.6f m off", w, back, d)
		}
	}
}

func TestGCJ02OutsideChina(t *testing.T) {
	for _, p := range []Point{{2.35, 48.85}, {-74.0, 40.7}, {151.2, -33.9}} {
		if ToGCJ02(p) != p || ToWGS84(p) != p {
			t.Errorf("%v: moved outside China", p)
		}
	}
}

func TestSplitTiles(t *testing.T) {
	r := Rect{117.80, 31.55, 118.00, 31.68}
	ws := []float64{5, 7, 6, 8, 5, 6, 7}
	parts := r.Split(ws)
	if len(parts) != len(ws) {
		t.Fatalf("%d parts for %d weights", len(parts), len(ws))
	}
	area := func(q Rect) float64 { return (q.East - q.West) * (q.North - q.South) }
	total, sumW := 0.0, 0.0
	for _, w := range ws {
		sumW += w
	}
	for i, p := range parts {
		if p.West < r.West || p.East > r.East || p.South < r.South || p.North > r.North || p.West >= p.East || p.South >= p.North {
			t.Errorf("part %d %v is not inside %v", i, p, r)
		}
		total += area(p)
		if got, want := area(p)/area(r), ws[i]/sumW; math.Abs(got-want) > 1e-9 {
			t.Errorf("part %d holds %.4f of the area, want %.4f", i, got, want)
		}
	}
	if math.Abs(total-area(r)) > 1e-12 {
		t.Errorf("parts cover %.12f, the rectangle %.12f", total, area(r))
	}
}
