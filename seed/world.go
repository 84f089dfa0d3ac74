package seed

import (
	"fmt"
	"time"

	"gridgov/evidence"
)

var epoch1950 = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)

// The world is the part of the demo city that other rows point at: places, units, cadres,
// appointed party members and teams. It is small, and its size does not depend on the scale:
// party members are derived from their index when needed (see member), and the large tables
// (people, residents, volunteers, issues, events, ledgers) are streamed from it, entity by
// entity, and never held.
type world struct {
	opts  Options
	r     *rowRand
	asOf  time.Time // end of the data's time span
	start time.Time // two years before asOf

	streets     []street
	communities []community
	grids       []grid
	compounds   []compound
	buildings   []building
	facilities  []facility
	crossings   []intersection
	units       []unit
	cadres      []cadre
	socialOrgs  []socialOrg
	projects    []project
	teams       []team

	slots       int  // resident slots: resident i lives in the building holding slot i mod slots
	unitWeights int  // sum of the units' weights
	rank        perm // member index → rank; the first n.verified ranks are verified
	home        perm // member index → position in the home layout (see memberBuilding)

	leaders, ownerReps, mediators []int // member indices
	liaisons                      []int // cadre indices
	policeTeams, otherTeams       []int // team indices
	n                             counts
	people                        peopleRanges
	photos                        []*evidence.File // the photos evidence shows (see demoPhotos)
	shapes                        layoutMap        // where every place is (geometry.go)
}

type street struct {
	id         int64
	name, kind string
}

type community struct {
	id, street  int64
	name        string
	grids       []int
	compounds   []int
	cadres      []int // community cadre indices
	centre      int64 // service centre facility id
	station     int64 // practice station facility id
	rooms       []int64
	slot, slots int // the community's resident slots: its buildings' slots, in one run
}

type grid struct {
	id, community, street int64
	ci                    int // community index
	name                  string
	buildings             []int
	households            int
	slot, slots           int // the grid's resident slots
}

type compound struct {
	id, community, street int64
	name                  string
	market                bool
}

type building struct {
	id, grid, community, street, compound int64
	gi                                    int // grid index
	number                                string
	floors, households                    int
	slot, slots                           int // first resident slot, and how many
}

type facility struct {
	id, community, street, compound int64
	kind, name                      string
}

type intersection struct {
	id, community, street int64
	name                  string
}

type unit struct {
	id                 int64
	code, name, kind   string
	justice, civilised bool
	weight             int
}

type cadre struct {
	id, person, street, community int64
	kind, title                   string
	leader                        bool
	ci                            int // community index of a leader's or community cadre's community
}

type member struct {
	id, person int64
	unit       int // index into units
	building   int // home building index
	state      string
	at         time.Time // when the check-in was submitted
}

type socialOrg struct {
	id       int64
	name     string
	partyOrg bool
	street   int64
}

type project struct {
	id, org, community, street int64
	name, theme                string
}

type team struct {
	id                int64
	name, kind        string
	unit, org, street int64
	police            bool
}

// counts are the sizes of the streamed tables and the totals the published figures fix.
type counts struct {
	members, verified                                              int // expected and verified party members
	residents, volunteers, police                                  int
	issuesOld, issuesInfra, issuesDispute, issuesOther, issuesOpen int
	issuesOpenBy                                                   []int // open issues of each category, issuesOpen in all
	greeningM2                                                     int
	ordersSolved, ordersOpen                                       int
	frontlinePeople, consultations, patrols                        int
	majorMatters, disputesMediated, otherMatters                   int
	themedLastYear, themedThisYear                                 int
	legalEvents, legalServed                                       int
	classEvents, classPersonTimes, classServed                     int
	vaccinationEvents, vaccinationMembers, vaccinationServed       int
	intersectionMembers, coBuildingEvents, coBuildingPersonTimes   int
}

// peopleRanges places each role's people in its own block of person ids.
type peopleRanges struct {
	cadres, members, residents, volunteers, stewards, instructors, partners, total int64
}

// atLeast gives a value in [n, 1.05n): a published "n+" figure.
func (w *world) atLeast(n int) int { return n + w.r.IntN(n/20+1) }

func buildWorld(opts Options) *world {
	w := &world{opts: opts, r: newRowRand(opts.Seed)}
	w.asOf = time.Date(opts.AsOf.Year(), opts.AsOf.Month(), opts.AsOf.Day(), 0, 0, 0, 0, time.UTC)
	w.start = w.asOf.AddDate(-2, 0, 0)
	w.r.at("world", 0)
	w.buildPlaces()
	w.shapes = w.layout()
	w.buildUnits()
	w.buildCadres()
	w.buildCounts()
	w.buildMembers()
	w.buildVolunteerOrgs()
	w.layoutPeople()
	w.pickAppointments()
	w.photos = demoPhotos(opts.Seed)
	return w
}

func (w *world) buildPlaces() {
	var cp int
	for si, s := range streetNames {
		st := street{id: int64(si + 1), name: s.name, kind: s.kind}
		w.streets = append(w.streets, st)
		for k := 0; k < s.communities; k++ {
			w.addCommunity(st, communityPrefixes[cp]+"社区")
			cp++
		}
	}
	// 65 market-managed compounds (市场化物业小区), chosen among all compounds.
	for _, i := range w.r.Perm(len(w.compounds))[:65] {
		w.compounds[i].market = true
	}
	for i := 0; i < 105; i++ {
		c := w.communities[w.r.IntN(len(w.communities))]
		w.crossings = append(w.crossings, intersection{id: int64(i + 1), community: c.id, street: c.street,
			name: fmt.Sprintf("%s路口%d号", c.name[:len(c.name)-len("社区")], i+1)})
	}
}

func (w *world) addCommunity(st street, name string) {
	ci := len(w.communities)
	c := community{id: int64(ci + 1), street: st.id, name: name, slot: w.slots}
	for k, n := 0, w.r.between(5, 8); k < n; k++ {
		c.compounds = append(c.compounds, len(w.compounds))
		w.compounds = append(w.compounds, compound{id: int64(len(w.compounds) + 1), community: c.id, street: st.id,
			name: pick(w.r, communityPrefixes) + pick(w.r, compoundSuffixes)})
	}
	c.centre = w.addFacility(c, 0, "service_centre", name+"党群服务中心")
	c.station = w.addFacility(c, 0, "practice_station", name+"新时代文明实践站")
	for k, n := 0, w.r.between(1, 2); k < n; k++ {
		cpd := w.compounds[c.compounds[k]]
		c.rooms = append(c.rooms, w.addFacility(c, cpd.id, "mediation_room", cpd.name+"法律调解室"))
	}
	for g, n := 0, w.r.between(5, 8); g < n; g++ {
		gi := len(w.grids)
		gr := grid{id: int64(gi + 1), community: c.id, street: st.id, ci: ci, name: fmt.Sprintf("%s第%d网格", name, g+1), slot: w.slots}
		for b, nb := 0, w.r.between(12, 25); b < nb; b++ {
			bl := building{id: int64(len(w.buildings) + 1), grid: gr.id, community: c.id, street: st.id, gi: gi,
				compound: w.compounds[pick(w.r, c.compounds)].id, number: fmt.Sprintf("%d栋", b+1),
				floors: w.r.between(2, 7), slot: w.slots}
			bl.households = bl.floors * w.r.between(2, 4)
			bl.slots = max(1, bl.households/2)
			w.slots += bl.slots
			gr.households += bl.households
			gr.buildings = append(gr.buildings, len(w.buildings))
			w.buildings = append(w.buildings, bl)
		}
		gr.slots = w.slots - gr.slot
		c.grids = append(c.grids, gi)
		w.grids = append(w.grids, gr)
	}
	c.slots = w.slots - c.slot
	w.communities = append(w.communities, c)
}

func (w *world) addFacility(c community, compoundID int64, kind, name string) int64 {
	id := int64(len(w.facilities) + 1)
	w.facilities = append(w.facilities, facility{id: id, community: c.id, street: c.street, compound: compoundID, kind: kind, name: name})
	return id
}

func (w *world) buildUnits() {
	for i, a := range agencies {
		u := unit{id: int64(i + 1), code: fmt.Sprintf("U%03d", i+1), name: "巢湖市" + a, kind: "municipal_agency",
			justice: justiceAgencies[a], weight: 2 + w.r.IntN(4)}
		switch {
		case i >= 40 && i < 60:
			u.kind, u.name = "stationed_unit", "驻巢"+a
		case i >= 60 && i < 70:
			u.kind = "public_institution"
		case i >= 90:
			u.kind = "state_enterprise"
		}
		if u.justice {
			u.weight = 20 // the justice system staffs the compounds' mediation rooms
		}
		w.units = append(w.units, u)
	}
	for _, i := range w.r.Perm(len(w.units))[:42] {
		w.units[i].civilised = true // 42 civilised units, each paired with a practice station
	}
}

func (w *world) buildCadres() {
	add := func(c cadre) int {
		c.id = int64(len(w.cadres) + 1)
		w.cadres = append(w.cadres, c)
		return len(w.cadres) - 1
	}
	// 37 street leaders, one instructing the grids of each community.
	for ci, c := range w.communities {
		add(cadre{kind: "street_cadre", street: c.street, title: "街道领导班子成员", leader: true, ci: ci})
	}
	// 184 street cadres each liaising with (包联) grids of their street, and a few who do not.
	for i := 0; i < 184; i++ {
		g := w.grids[(i*7)%len(w.grids)]
		w.liaisons = append(w.liaisons, add(cadre{kind: "street_cadre", street: g.street, title: "街道干部", ci: g.ci}))
	}
	for i := 0; i < 18; i++ {
		add(cadre{kind: "street_cadre", street: w.streets[i%len(w.streets)].id, title: "街道干部", ci: -1})
	}
	for ci := range w.communities {
		c := &w.communities[ci]
		for k, n := 0, len(c.grids)+w.r.between(1, 2); k < n; k++ {
			title := "社区干部"
			if k == 0 {
				title = "社区党委书记"
			}
			c.cadres = append(c.cadres, add(cadre{kind: "community_cadre", street: c.street, community: c.id, title: title, ci: ci}))
		}
	}
}

func (w *world) buildCounts() {
	k := w.opts.Scale
	n := &w.n
	n.residents = w.atLeast(40_000) * k
	n.volunteers = w.atLeast(120_000) * k
	n.police = 11_000 * k
	total := w.atLeast(3_000)
	n.issuesOld, n.issuesInfra, n.issuesDispute = w.atLeast(1_200), w.atLeast(800), w.atLeast(200)
	n.issuesOther = total - n.issuesOld - n.issuesInfra - n.issuesDispute
	n.issuesOld, n.issuesInfra, n.issuesDispute, n.issuesOther = n.issuesOld*k, n.issuesInfra*k, n.issuesDispute*k, n.issuesOther*k
	w.countOpenIssues()
	n.greeningM2 = w.atLeast(12_000) * k
	n.ordersSolved, n.ordersOpen = w.atLeast(380)*k, 45*k
	n.frontlinePeople, n.consultations, n.patrols = w.atLeast(2_600)*k, w.atLeast(1_600)*k, 3_000*k
	n.majorMatters, n.disputesMediated, n.otherMatters = w.atLeast(360)*k, w.atLeast(320)*k, 150*k
	n.themedLastYear = 122
	n.themedThisYear = 122 * w.asOf.YearDay() / 366
	n.legalEvents, n.legalServed = 112, w.atLeast(12_000)*k
	n.classEvents, n.classPersonTimes, n.classServed = 80, w.atLeast(1_600)*k, w.atLeast(15_000)*k
	n.vaccinationEvents, n.vaccinationMembers, n.vaccinationServed = 2*len(w.communities), w.atLeast(2_000)*k, w.atLeast(100_000)*k
	n.intersectionMembers = w.atLeast(630) * k
	n.coBuildingEvents, n.coBuildingPersonTimes = 120, w.atLeast(2_400)*k
}

// buildMembers sets up the in-service party members: 3,086 × scale are expected, 2,901 ×
// scale check in and are verified, a rate of 94%; of the others some are pending, some
// rejected, some never came. Members are not stored: member derives each from its index.
func (w *world) buildMembers() {
	w.n.members, w.n.verified = 3_086*w.opts.Scale, 2_901*w.opts.Scale
	for _, u := range w.units {
		w.unitWeights += u.weight
	}
	w.rank = newPerm(w.n.members, w.hash("member-rank", 0))
	w.home = newPerm(w.n.members, w.hash("member-home", 0))
}

// member derives member i from its index: unit and check-in time from its hash, home from
// its place in the home layout, state from its rank.
func (w *world) member(i int) member {
	m := member{id: int64(i + 1), person: w.memberPerson(i), unit: w.memberUnit(i), building: w.memberBuilding(i)}
	m.at = w.start.Add(time.Duration(splitmix(w.hash("member", i)) % uint64(w.asOf.Sub(w.start))))
	switch rank := w.rank.apply(i); {
	case rank < w.n.verified:
		m.state = "verified"
	case rank%3 == 0:
		m.state = "pending"
	case rank%3 == 1:
		m.state = "rejected"
	}
	return m
}

func (w *world) memberPerson(i int) int64 { return w.people.members + int64(i) + 1 }

// memberUnit draws member i's unit, weighted: the justice system sends the most members.
func (w *world) memberUnit(i int) int {
	return w.weightedUnit(int(w.hash("member", i) % uint64(w.unitWeights)))
}

func (w *world) weightedUnit(x int) int {
	for i, u := range w.units {
		if x < u.weight {
			return i
		}
		x -= u.weight
	}
	return len(w.units) - 1
}

// memberBuilding is member i's home. Members fill the buildings in proportion to their
// resident slots, in the order of a keyed shuffle: home-layout position p falls on slot
// p × slots ÷ members. The members of a run of slots (a grid's, a community's) therefore
// hold a run of positions, and can be drawn without a list of them (see verifiedIn).
func (w *world) memberBuilding(i int) int {
	return w.buildingOfSlot(w.home.apply(i) * w.slots / w.n.members)
}

// positions gives the run [lo, hi) of home-layout positions that fall on slots
// [slot, slot+n): the first position at or past a slot s is ⌈s × members ÷ slots⌉.
func (w *world) positions(slot, n int) (lo, hi int) {
	first := func(s int) int { return (s*w.n.members + w.slots - 1) / w.slots }
	return first(slot), first(slot + n)
}

func (w *world) verified(i int) bool { return w.rank.apply(i) < w.n.verified }

// verifiedMember is the member of rank k: for k below n.verified, the k-th verified member.
func (w *world) verifiedMember(k int) int { return w.rank.invert(k) }

// verifiedIn draws a verified member living in slots [slot, slot+n), a grid's or a
// community's, or gives -1. 94% of members are verified, so a few draws find one unless
// there is none.
func (w *world) verifiedIn(r *rowRand, slot, n int) int {
	lo, hi := w.positions(slot, n)
	for try := 0; try < 16 && lo < hi; try++ {
		if i := w.home.invert(lo + r.IntN(hi-lo)); w.verified(i) {
			return i
		}
	}
	return -1
}

// pickAppointments draws 767 building leaders and 38 owner representatives from verified
// members, one per building, and 190 justice-system members for the mediation rooms, taking
// verified members in rank order, which is random. The scans stop once the fixed counts are
// found, so they take the same time at any scale.
func (w *world) pickAppointments() {
	taken := map[int]bool{}
	for k := 0; k < w.n.verified && len(w.ownerReps) < 38; k++ {
		i := w.verifiedMember(k)
		b := w.memberBuilding(i)
		switch {
		case taken[b]:
		case len(w.leaders) < 767:
			w.leaders = append(w.leaders, i)
			taken[b] = true
		default:
			w.ownerReps = append(w.ownerReps, i)
			taken[b] = true
		}
	}
	for k := 0; k < w.n.verified && len(w.mediators) < 190; k++ {
		if i := w.verifiedMember(k); w.units[w.memberUnit(i)].justice {
			w.mediators = append(w.mediators, i)
		}
	}
}

func (w *world) buildVolunteerOrgs() {
	for i, name := range socialOrgNames {
		w.socialOrgs = append(w.socialOrgs, socialOrg{id: int64(i + 1), name: name, partyOrg: i < 9,
			street: w.streets[i%len(w.streets)].id})
	}
	themes := []string{"hardship_relief", "party_building", "elderly_care", "environment", "compound_governance"}
	themeNames := []string{"困难群体救助", "党建融合", "为老服务", "环保", "小区治理"}
	for i := 0; i < 29; i++ {
		c := w.communities[(i*5)%len(w.communities)]
		t := i % len(themes)
		w.projects = append(w.projects, project{id: int64(i + 1), org: w.socialOrgs[i%len(w.socialOrgs)].id,
			community: c.id, street: c.street, theme: themes[t], name: fmt.Sprintf("%s%s公益创投项目", c.name, themeNames[t])})
	}
	add := func(t team) {
		t.id = int64(len(w.teams) + 1)
		w.teams = append(w.teams, t)
	}
	var agenciesOnly []unit
	for _, u := range w.units {
		if u.kind == "municipal_agency" {
			agenciesOnly = append(agenciesOnly, u)
		}
	}
	for i := 0; i < 92; i++ {
		u := agenciesOnly[i%len(agenciesOnly)]
		add(team{kind: "municipal_agency", unit: u.id, name: fmt.Sprintf("%s志愿服务队%d", u.name, i/len(agenciesOnly)+1)})
	}
	for i := 0; i < 15; i++ {
		o := w.socialOrgs[i]
		add(team{kind: "social_organisation", org: o.id, name: o.name + "志愿服务队"})
	}
	kinds := []string{"党员社工服务队", "百姓宣讲服务队", "社区明星宣讲队", "五老志愿服务队", "高校党员服务队", "巾帼志愿服务队"}
	for i := 0; i < 213; i++ {
		s := w.streets[i%len(w.streets)]
		t := team{kind: "town_street", street: s.id, name: fmt.Sprintf("%s%s%d", s.name, kinds[(i/len(w.streets))%len(kinds)], i/len(w.streets)+1)}
		if i < len(w.streets) {
			t.police, t.name = true, s.name+"义警志愿服务队"
		}
		add(t)
	}
	for i, t := range w.teams {
		if t.police {
			w.policeTeams = append(w.policeTeams, i)
		} else {
			w.otherTeams = append(w.otherTeams, i)
		}
	}
}

func (w *world) layoutPeople() {
	p := &w.people
	p.cadres = 0
	p.members = p.cadres + int64(len(w.cadres))
	p.residents = p.members + int64(w.n.members)
	p.volunteers = p.residents + int64(w.n.residents)
	p.stewards = p.volunteers + int64(w.n.volunteers)
	p.instructors = p.stewards + 507
	p.partners = p.instructors + 5
	p.total = p.partners + int64(3*len(w.communities))
	for i := range w.cadres {
		w.cadres[i].person = p.cadres + int64(i) + 1
	}
}

// residentBuilding is the home building of resident i: residents fill the buildings' slots in
// turn, so each building holds residents in proportion to its households.
func (w *world) residentBuilding(i int) int { return w.buildingOfSlot(i % w.slots) }

// buildingOfSlot gives the building holding resident slot slot.
func (w *world) buildingOfSlot(slot int) int {
	lo, hi := 0, len(w.buildings)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if w.buildings[mid].slot <= slot {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// residentIn gives a resident living in building b.
func (w *world) residentIn(r *rowRand, b int) int {
	return w.buildings[b].slot + r.IntN(w.buildings[b].slots)
}

// timeIn gives a random time in the data's two years.
func (w *world) timeIn(r *rowRand) time.Time {
	return w.start.Add(time.Duration(r.Int64N(int64(w.asOf.Sub(w.start)))))
}
