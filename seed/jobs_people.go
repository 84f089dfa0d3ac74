package seed

import (
	"fmt"
	"time"
)

// hash derives a stable value for entity i of a stream without a random stream of its own:
// it is how one job learns what another job generated for the same entity.
func (w *world) hash(stream string, i int) uint64 {
	var h uint64 = 1469598103934665603
	for _, c := range []byte(stream) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return splitmix(w.opts.Seed ^ h ^ splitmix(uint64(i)))
}

// home is where a person lives or serves, as deep as it is known.
type home struct{ street, community, grid, building int64 }

func (w *world) buildingHome(b int) home {
	x := w.buildings[b]
	return home{x.street, x.community, x.grid, x.id}
}

func (w *world) communityHome(ci int) home {
	c := w.communities[ci]
	return home{street: c.street, community: c.id}
}

// volunteerPlace gives volunteer v's team (0 for none) and community index. The first
// volunteers, as many as the published count, serve in the streets' volunteer-police teams.
func (w *world) volunteerPlace(v int) (team int64, ci int) {
	h := w.hash("volunteer", v)
	if v < w.n.police {
		t := w.teams[w.policeTeams[v%len(w.policeTeams)]]
		return t.id, w.communityOfStreet(t.street, h)
	}
	if h%100 >= 85 {
		return 0, int(h>>8) % len(w.communities)
	}
	t := w.teams[w.otherTeams[int(h>>8)%len(w.otherTeams)]]
	if t.street != 0 {
		return t.id, w.communityOfStreet(t.street, h>>20)
	}
	return t.id, int(h>>20) % len(w.communities)
}

func (w *world) communityOfStreet(street int64, h uint64) int {
	var in []int
	for ci, c := range w.communities {
		if c.street == street {
			in = append(in, ci)
		}
	}
	return in[int(h%uint64(len(in)))]
}

// personHome gives person i's home, by the role block the id falls in.
func (w *world) personHome(i int64) home {
	p := w.people
	switch {
	case i < p.members:
		c := w.cadres[i]
		if c.community != 0 {
			return w.communityHome(c.ci)
		}
		return home{street: c.street}
	case i < p.residents:
		return w.buildingHome(w.memberBuilding(int(i - p.members)))
	case i < p.volunteers:
		return w.buildingHome(w.residentBuilding(int(i - p.residents)))
	case i < p.stewards:
		_, ci := w.volunteerPlace(int(i - p.volunteers))
		return w.communityHome(ci)
	case i < p.instructors:
		return w.buildingHome(w.stewardBuilding(int(i - p.stewards)))
	case i < p.partners:
		return w.communityHome(int(i-p.instructors) * 7 % len(w.communities))
	default:
		return w.communityHome(int(i-p.partners) / 3)
	}
}

func (w *world) stewardBuilding(s int) int {
	return int(w.hash("steward", s) % uint64(len(w.buildings)))
}

func (w *world) peopleJobs() []job {
	people := job{name: "people", table: "people", entities: int(w.people.total),
		columns: []string{"id", "name", "gender", "birth_year", "phone", "id_number", "street_id", "community_id", "grid_id", "building_id", "address_detail"},
		emit: func(r *rowRand, i int, row func(...any)) {
			id := int64(i + 1)
			idNo, year := idNumber(id)
			h := w.personHome(int64(i))
			gender := "male"
			if r.chance(0.5) {
				gender = "female"
			}
			var addr any
			if h.building != 0 {
				addr = fmt.Sprintf("%d单元%d室", r.between(1, 3), r.between(1, 7)*100+r.between(1, 4))
			}
			row(id, personName(r), gender, year, phoneNumber(r), idNo, nz(h.street), nz(h.community), nz(h.grid), nz(h.building), addr)
		}}
	return []job{people,
		fixed("cadres", len(w.cadres), []string{"id", "person_id", "kind", "street_id", "community_id", "title", "is_leader"}, func(_ *rowRand, i int, row func(...any)) {
			c := w.cadres[i]
			row(c.id, c.person, c.kind, c.street, nz(c.community), c.title, c.leader)
		}),
		w.gridAssignmentJob(),
		w.memberJob(),
		w.checkinJob(),
		w.appointmentJob(),
		fixed("mediation_room_members", len(w.mediators), []string{"id", "street_id", "community_id", "facility_id", "member_id", "joined_on"},
			func(r *rowRand, i int, row func(...any)) {
				m := w.member(w.mediators[i])
				c := w.communities[w.buildings[m.building].community-1]
				row(int64(i+1), c.street, c.id, pick(r, c.rooms), m.id, day(m.at))
			}),
		job{name: "residents", table: "residents", entities: w.n.residents,
			columns: []string{"id", "person_id", "street_id", "community_id", "grid_id", "building_id", "household_size", "is_party_member", "collected_by", "collected_at"},
			emit: func(r *rowRand, i int, row func(...any)) {
				h := w.buildingHome(w.residentBuilding(i))
				c := w.communities[h.community-1]
				row(int64(i+1), w.people.residents+int64(i)+1, h.street, h.community, h.grid, h.building, r.between(1, 5),
					r.chance(0.08), w.cadres[pick(r, c.cadres)].id, w.timeIn(r))
			}},
		fixed("red_stewards", 507, []string{"id", "person_id", "street_id", "community_id", "grid_id", "selected_on"}, func(r *rowRand, i int, row func(...any)) {
			h := w.buildingHome(w.stewardBuilding(i))
			row(int64(i+1), w.people.stewards+int64(i)+1, h.street, h.community, h.grid, day(w.timeIn(r)))
		}),
		// Each red steward's two latest patrols of their grid (巡查), every other one with a finding.
		fixed("patrols", 2*507, []string{"id", "steward_id", "street_id", "community_id", "grid_id", "patrolled_at", "route"},
			func(r *rowRand, i int, row func(...any)) {
				h := w.buildingHome(w.stewardBuilding(i / 2))
				at := w.asOf.Add(-time.Duration(r.between(1, 60*24)) * time.Hour)
				row(int64(i+1), int64(i/2+1), h.street, h.community, h.grid, at, pick(r, []string{"楼栋—小区大门—停车场", "沿街商铺—背街小巷", "小区一圈"}))
			}),
		fixed("patrol_findings", 507, []string{"id", "patrol_id", "street_id", "community_id", "grid_id", "category", "description"},
			func(r *rowRand, i int, row func(...any)) {
				h := w.buildingHome(w.stewardBuilding(i))
				f := r.IntN(4)
				row(int64(i+1), int64(2*i+1), h.street, h.community, h.grid, []string{"safety_hazard", "environment", "facility_damage", "public_order"}[f],
					[]string{"楼道堆放杂物堵塞消防通道", "垃圾桶满溢未及时清运", "路灯不亮", "电动车楼道充电"}[f])
			}),
		fixed("governance_instructors", 5, []string{"id", "person_id", "street_id", "community_id", "former_post", "appointed_on"}, func(r *rowRand, i int, row func(...any)) {
			h := w.personHome(w.people.instructors + int64(i))
			row(int64(i+1), w.people.instructors+int64(i)+1, h.street, h.community,
				pick(r, []string{"原市人大常委会副主任", "原市政协副主席", "原街道党工委书记", "原市直单位主要负责人"}), day(w.timeIn(r)))
		}),
		fixed("partners", 3*len(w.communities), []string{"id", "person_id", "street_id", "community_id", "kind", "organisation"}, func(_ *rowRand, i int, row func(...any)) {
			c := w.communities[i/3]
			kinds := []string{"community_police", "community_doctor", "property_staff"}
			orgs := []string{"巢湖市公安局" + c.name + "警务室", c.name + "卫生服务站", c.name + "物业服务中心"}
			row(int64(i+1), w.people.partners+int64(i)+1, c.street, c.id, kinds[i%3], orgs[i%3])
		}),
		w.dutyJob(),
	}
}

type assignment struct {
	cadre, grid int
	role        string
}

func (w *world) gridAssignmentJob() job {
	var as []assignment
	for ci, c := range w.communities {
		for _, g := range c.grids {
			as = append(as, assignment{ci, g, "instructor"}) // the ci-th cadre is the community's street leader
			n := len(c.cadres)
			as = append(as, assignment{c.cadres[g%n], g, "grid_leader"}, assignment{c.cadres[(g+1)%n], g, "grid_worker"})
		}
	}
	for k, li := range w.liaisons {
		as = append(as, assignment{li, (k * 7) % len(w.grids), "liaison"})
	}
	return fixed("grid_assignments", len(as), []string{"id", "street_id", "community_id", "grid_id", "cadre_id", "role", "started_on"},
		func(r *rowRand, i int, row func(...any)) {
			a := as[i]
			g := w.grids[a.grid]
			row(int64(i+1), g.street, g.community, g.id, w.cadres[a.cadre].id, a.role, day(w.start.AddDate(0, -r.IntN(24), 0)))
		})
}

func (w *world) memberJob() job {
	professions := []string{"公务员", "教师", "医生", "法官", "检察官", "警察", "工程师", "会计", "律师", "技术员"}
	specialties := []string{"法律咨询", "医疗保健", "心理疏导", "家电维修", "文艺宣传", "政策解读", "教育辅导", "电脑维护", "书法绘画", "环境整治"}
	return fixed("party_members", w.n.members, []string{"id", "person_id", "unit_id", "street_id", "community_id", "grid_id", "building_id", "profession", "specialty", "joined_party_on"},
		func(r *rowRand, i int, row func(...any)) {
			m := w.member(i)
			h := w.buildingHome(m.building)
			var grid, building any
			if m.state == "verified" {
				grid, building = h.grid, h.building
			}
			joined := time.Date(r.between(1985, 2022), time.Month(r.between(1, 12)), r.between(1, 28), 0, 0, 0, 0, time.UTC)
			row(m.id, m.person, w.units[m.unit].id, h.street, h.community, grid, building, pick(r, professions), pick(r, specialties), joined)
		})
}

func (w *world) checkinJob() job {
	return fixed("checkins", w.n.members, []string{"id", "member_id", "street_id", "community_id", "grid_id", "letter_no", "state",
		"submitted_at", "decided_at", "decided_by", "reject_reason"},
		func(r *rowRand, i int, row func(...any)) {
			m := w.member(i)
			if m.state == "" {
				return
			}
			h := w.buildingHome(m.building)
			c := w.communities[h.community-1]
			var grid, decidedAt, decidedBy, reason any
			switch m.state {
			case "verified":
				grid, decidedAt, decidedBy = h.grid, m.at.Add(time.Duration(r.between(2, 72))*time.Hour), w.cadres[pick(r, c.cadres)].id
			case "rejected":
				decidedAt, decidedBy = m.at.Add(time.Duration(r.between(2, 72))*time.Hour), w.cadres[pick(r, c.cadres)].id
				reason = pick(r, []string{"介绍信信息与单位登记不符", "居住地址不在本社区", "介绍信缺少单位盖章"})
			}
			letter := fmt.Sprintf("%s-%d-%05d", w.units[m.unit].code, m.at.Year(), i+1)
			row(m.id, m.id, h.street, h.community, grid, letter, m.state, m.at, decidedAt, decidedBy, reason)
		})
}

func (w *world) appointmentJob() job {
	n := len(w.leaders) + len(w.ownerReps)
	return fixed("building_appointments", n, []string{"id", "street_id", "community_id", "grid_id", "building_id", "member_id", "role", "appointed_on"},
		func(r *rowRand, i int, row func(...any)) {
			mi, role := 0, "building_leader"
			if i < len(w.leaders) {
				mi = w.leaders[i]
			} else {
				mi, role = w.ownerReps[i-len(w.leaders)], "owner_representative"
			}
			m := w.member(mi)
			h := w.buildingHome(m.building)
			row(int64(i+1), h.street, h.community, h.grid, h.building, m.id, role, day(m.at.AddDate(0, 0, r.between(7, 90))))
		})
}

// dutyJob puts one or two community cadres on duty at each service centre on each of the
// last twenty workdays.
func (w *world) dutyJob() job {
	var days []time.Time
	for d := w.asOf.AddDate(0, 0, -1); len(days) < 20; d = d.AddDate(0, 0, -1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			days = append(days, d)
		}
	}
	per := len(days)
	return fixed("duty_shifts", len(w.communities)*per, []string{"id", "street_id", "community_id", "facility_id", "cadre_id", "on_date"},
		func(r *rowRand, i int, row func(...any)) {
			c := w.communities[i/per]
			first := r.IntN(len(c.cadres))
			for k := 0; k < r.between(1, 2); k++ {
				row(int64(i*2+k+1), c.street, c.id, c.centre, w.cadres[c.cadres[(first+k)%len(c.cadres)]].id, days[i%per])
			}
		})
}
