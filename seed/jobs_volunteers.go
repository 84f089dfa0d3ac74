package seed

func (w *world) volunteerJobs() []job {
	return []job{
		fixed("social_organisations", len(w.socialOrgs), []string{"id", "name", "has_party_org", "street_id", "registered_on"},
			func(r *rowRand, i int, row func(...any)) {
				o := w.socialOrgs[i]
				row(o.id, o.name, o.partyOrg, o.street, day(w.start.AddDate(-r.between(1, 8), 0, 0)))
			}),
		fixed("venture_projects", len(w.projects), []string{"id", "social_organisation_id", "street_id", "community_id", "name", "theme", "funding_yuan", "started_on", "ended_on"},
			func(r *rowRand, i int, row func(...any)) {
				p := w.projects[i]
				started := day(w.timeIn(r))
				var ended any
				if e := started.AddDate(1, 0, 0); e.Before(w.asOf) {
					ended = e
				}
				row(p.id, p.org, p.street, p.community, p.name, p.theme, float64(r.between(20, 200)*1000), started, ended)
			}),
		fixed("volunteer_teams", len(w.teams), []string{"id", "name", "team_type", "unit_id", "social_organisation_id", "street_id", "is_volunteer_police", "founded_on"},
			func(r *rowRand, i int, row func(...any)) {
				t := w.teams[i]
				row(t.id, t.name, t.kind, nz(t.unit), nz(t.org), nz(t.street), t.police, day(w.start.AddDate(-r.between(0, 6), -r.IntN(12), 0)))
			}),
		{name: "volunteers", table: "volunteers", entities: w.n.volunteers,
			columns: []string{"id", "person_id", "team_id", "street_id", "community_id", "grid_id", "registered_on", "skills"},
			emit: func(r *rowRand, i int, row func(...any)) {
				team, ci := w.volunteerPlace(i)
				c := w.communities[ci]
				var grid any
				if r.chance(0.5) {
					grid = w.grids[pick(r, c.grids)].id
				}
				registered := day(w.timeIn(r).AddDate(-r.IntN(4), 0, 0))
				row(int64(i+1), w.people.volunteers+int64(i)+1, nz(team), c.street, c.id, grid, registered,
					pick(r, []string{"", "治安巡逻", "交通引导", "矛盾调解", "助老助残", "环境保护", "文艺宣传", "医疗急救", "法律咨询"}))
			}},
		w.pairingJob(),
	}
}

// pairingJob pairs the 42 civilised units with practice stations and some other units with
// communities.
func (w *world) pairingJob() job {
	type pairing struct{ unit, community int }
	var ps []pairing
	k := 0
	for ui, u := range w.units {
		if u.civilised {
			ps = append(ps, pairing{ui, (k * 7) % len(w.communities)})
			k++
		} else if ui%2 == 0 {
			ps = append(ps, pairing{ui, ui % len(w.communities)})
		}
	}
	return fixed("pairings", len(ps), []string{"id", "unit_id", "street_id", "community_id", "facility_id", "kind", "started_on"},
		func(r *rowRand, i int, row func(...any)) {
			p := ps[i]
			c := w.communities[p.community]
			var station any
			kind := "community"
			if w.units[p.unit].civilised {
				station, kind = c.station, "practice_station"
			}
			row(int64(i+1), w.units[p.unit].id, c.street, c.id, station, kind, day(w.start.AddDate(0, -r.IntN(12), 0)))
		})
}
