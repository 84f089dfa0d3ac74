package warehouse

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
			c.values(uatoi(row[0])).Density.AreaKm2 += atof(row[1])
		}
	})
}
