package seed

import (
	"math"

	"gridgov/geo"
)

// cityBox is the demo city's extent around Chaohu's centre (about 31.6° N, 117.9° E):
// some 19 km east to west and 14 km south to north, in WGS-84.
var cityBox = geo.Rect{West: 117.80, South: 31.55, East: 118.00, North: 31.68}

// layoutMap gives every place its shape, drawn from the tree alone (no random draw, so the
// rest of the city is the same with or without it): the city box is split among the streets
// by their number of grids, each street among its communities the same way, and each
// community among its grids by households (geo.Rect.Split), so each level tiles its parent
// without gap or overlap. Buildings stand on a lattice inside their grid, facilities and
// intersections inside their community's grids, away from the lattice's points.
type layoutMap struct {
	streets, communities, grids []geo.Rect
}

func (w *world) layout() layoutMap {
	m := layoutMap{streets: make([]geo.Rect, len(w.streets)), communities: make([]geo.Rect, len(w.communities)),
		grids: make([]geo.Rect, len(w.grids))}
	bySt := make([][]int, len(w.streets))
	for ci, c := range w.communities {
		bySt[c.street-1] = append(bySt[c.street-1], ci)
	}
	weights := func(cis []int) []float64 {
		ws := make([]float64, len(cis))
		for k, ci := range cis {
			ws[k] = float64(len(w.communities[ci].grids))
		}
		return ws
	}
	stW := make([]float64, len(w.streets))
	for si := range w.streets {
		for _, v := range weights(bySt[si]) {
			stW[si] += v
		}
	}
	copy(m.streets, cityBox.Split(stW))
	for si, cis := range bySt {
		for k, r := range m.streets[si].Split(weights(cis)) {
			m.communities[cis[k]] = r
		}
	}
	for ci, c := range w.communities {
		gw := make([]float64, len(c.grids))
		for k, gi := range c.grids {
			gw[k] = float64(max(w.grids[gi].households, 1))
		}
		for k, r := range m.communities[ci].Split(gw) {
			m.grids[c.grids[k]] = r
		}
	}
	return m
}

// buildingAt places the k-th of n buildings of a grid on a lattice inside it.
func (m layoutMap) buildingAt(b building, k, n int) geo.Point {
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	return m.grids[b.gi].At((float64(k%cols)+0.5)/float64(cols), (float64(k/cols)+0.5)/float64(rows))
}

// facilityAt places a community's k-th facility in one of its grids, off the building lattice.
func (m layoutMap) facilityAt(c community, k int) geo.Point {
	return m.grids[c.grids[k%len(c.grids)]].At(0.1+0.05*float64(k%3), 0.9)
}

// intersectionAt places an intersection at the south-west edge of one of its community's grids.
func (m layoutMap) intersectionAt(c community, id int64) geo.Point {
	return m.grids[c.grids[int(id)%len(c.grids)]].At(0.02+0.01*float64(id%7), 0.03)
}

// issueAt is an issue's position: inside its grid, at fractions drawn from its id alone.
func (m layoutMap) issueAt(gridID, id int64) geo.Point {
	h := splitmix(uint64(id) ^ 0x9e0c_1ade_7a10_c47e)
	fx := 0.04 + 0.92*float64(h>>40)/float64(1<<24)
	fy := 0.04 + 0.92*float64(h&(1<<24-1))/float64(1<<24)
	return m.grids[gridID-1].At(fx, fy)
}

// facilityRank is a facility's position among its community's facilities.
func (w *world) facilityRank(f facility) int {
	k := 0
	for _, o := range w.facilities[:f.id-1] {
		if o.community == f.community {
			k++
		}
	}
	return k
}
