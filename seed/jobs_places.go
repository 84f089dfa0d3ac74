package seed

import (
	"fmt"
	"time"
)

// jobs lists every job in foreign-key order.
func (w *world) jobs() []job {
	var js []job
	js = append(js, w.placeJobs()...)
	js = append(js, w.peopleJobs()...)
	js = append(js, w.volunteerJobs()...)
	js = append(js, w.issueJobs()...)
	js = append(js, w.serviceJobs()...)
	js = append(js, w.evidenceJobs(w.storyTeller())...)
	js = append(js, w.activityJobs()...)
	return js
}

// nz gives NULL for a zero id.
func nz(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// fixed makes a job over an in-memory list.
func fixed(name string, n int, columns []string, emit func(r *rowRand, i int, row func(...any))) job {
	table := name
	for i, c := range name {
		if c == ':' {
			table = name[:i]
			break
		}
	}
	return job{name: name, table: table, columns: columns, entities: n, emit: emit}
}

func (w *world) placeJobs() []job {
	return []job{
		fixed("cities", 1, []string{"id", "code", "name"}, func(_ *rowRand, _ int, row func(...any)) {
			row(int64(1), "chaohu", "巢湖市")
		}),
		fixed("streets", len(w.streets), []string{"id", "city_id", "code", "name", "kind", "boundary"}, func(_ *rowRand, i int, row func(...any)) {
			s := w.streets[i]
			row(s.id, int64(1), fmt.Sprintf("S%02d", s.id), s.name, s.kind, w.shapes.streets[i].EWKB())
		}),
		fixed("communities", len(w.communities), []string{"id", "street_id", "code", "name", "boundary"}, func(_ *rowRand, i int, row func(...any)) {
			c := w.communities[i]
			row(c.id, c.street, fmt.Sprintf("C%03d", c.id), c.name, w.shapes.communities[i].EWKB())
		}),
		fixed("grids", len(w.grids), []string{"id", "street_id", "community_id", "code", "name", "households", "boundary"}, func(_ *rowRand, i int, row func(...any)) {
			g := w.grids[i]
			row(g.id, g.street, g.community, fmt.Sprintf("G%04d", g.id), g.name, g.households, w.shapes.grids[i].EWKB())
		}),
		fixed("compounds", len(w.compounds), []string{"id", "street_id", "community_id", "name", "market_managed", "property_company", "built_year"},
			func(r *rowRand, i int, row func(...any)) {
				c := w.compounds[i]
				var company any
				if c.market {
					company = pick(r, []string{"绿城物业", "万科物业", "碧桂园服务", "保利物业", "巢湖安居物业", "长城物业"})
				}
				row(c.id, c.street, c.community, c.name, c.market, company, r.between(1985, 2020))
			}),
		fixed("buildings", len(w.buildings), []string{"id", "street_id", "community_id", "grid_id", "compound_id", "number", "floors", "households", "covenant_adopted_on", "location"},
			func(r *rowRand, i int, row func(...any)) {
				b := w.buildings[i]
				var covenant any
				if r.chance(0.7) {
					covenant = day(w.timeIn(r))
				}
				g := w.grids[b.gi]
				at := w.shapes.buildingAt(b, i-g.buildings[0], len(g.buildings))
				row(b.id, b.street, b.community, b.grid, b.compound, b.number, b.floors, b.households, covenant, at.EWKB())
			}),
		fixed("facilities", len(w.facilities), []string{"id", "street_id", "community_id", "compound_id", "kind", "name", "location"}, func(_ *rowRand, i int, row func(...any)) {
			f := w.facilities[i]
			c := w.communities[f.community-1]
			row(f.id, f.street, f.community, nz(f.compound), f.kind, f.name, w.shapes.facilityAt(c, w.facilityRank(f)).EWKB())
		}),
		fixed("intersections", len(w.crossings), []string{"id", "street_id", "community_id", "name", "location"}, func(_ *rowRand, i int, row func(...any)) {
			x := w.crossings[i]
			row(x.id, x.street, x.community, x.name, w.shapes.intersectionAt(w.communities[x.community-1], x.id).EWKB())
		}),
		fixed("units", len(w.units), []string{"id", "code", "name", "kind", "is_justice", "civilised"}, func(_ *rowRand, i int, row func(...any)) {
			u := w.units[i]
			row(u.id, u.code, u.name, u.kind, u.justice, u.civilised)
		}),
	}
}
