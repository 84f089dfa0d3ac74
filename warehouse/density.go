package warehouse

import "math"

// Density relates what happened to the ground it happened on: the area of the scope's grids
// (dim_grid.area_km2, measured by PostGIS from each grid's boundary) and the issues reported
// in the period per square kilometre. A map colours places by it.
type Density struct {
	// AreaKm2 is the area of the grids, in square kilometres (0 when no grid has a boundary).
	AreaKm2 float64
	// IssuesPerKm2 is the issues reported in the period per square kilometre; nil without area.
	IssuesPerKm2 *float64
}

// perKm2 is n per square kilometre of km2, or nil without area.
func perKm2(n int64, km2 float64) *float64 {
	if km2 <= 0 {
		return nil
	}
	v := float64(n) / km2
	return &v
}

// area sums the grids' areas by child place.
func (c *compute) area() part {
	var args []any
	from := c.r.t("dim_grid") + " WHERE is_deleted = 0 AND " + c.scoped(gridDimCols, &args) + " GROUP BY c"
	return selectPart("area", []string{c.childOf(gridDimCols), "sum(area_km2)"}, from, args, func(rows [][]string) {
		for _, row := range rows {
			d := &c.values(uatoi(row[0])).Density
			d.AreaKm2 = addKm2(d.AreaKm2, atof(row[1]))
		}
	})
}

// addKm2 adds two areas held to the DDL's six decimals (Decimal(12, 6)) and rounds the sum back
// to them, so that a total does not depend on the order of its parts (the rows of a cluster
// arrive in another order than one node's).
func addKm2(a, b float64) float64 { return math.Round((a+b)*1e6) / 1e6 }
