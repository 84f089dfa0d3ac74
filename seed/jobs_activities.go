package seed

import (
	"fmt"
	"sort"
	"time"
)

// activity is one event with the pool its participants are drawn from.
type activity struct {
	id                                             int64
	kind, title                                    string
	community                                      int // community index, -1 for a street-wide event
	street, intersection, unit, team, org, project int64
	starts                                         time.Time
	served, participants, first                    int // people served; participant slots; their first id - 1
	pool                                           string
	block                                          int // start in the pool
}

// activities lays out every activity. Pools: "community" invites distinct members living in
// the community, of whom the verified ones take part; "crossing" and "vaccination" draw
// consecutive blocks of ranks of a permutation of the verified members (so the members
// counted are distinct), "volunteers" draws consecutive volunteers.
func (w *world) activities() []activity {
	r := newRowRand(w.opts.Seed).at("activities", 0)
	k := w.opts.Scale
	var as []activity
	add := func(a activity) {
		a.id = int64(len(as) + 1)
		if a.community >= 0 {
			a.street = w.communities[a.community].street
		}
		as = append(as, a)
	}
	year := w.asOf.Year() - 1
	for i := 0; i < w.n.themedLastYear+w.n.themedThisYear; i++ {
		from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
		span := time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(from)
		if i >= w.n.themedLastYear {
			from, span = time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC), w.asOf.Sub(time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC))
		}
		ci := r.IntN(len(w.communities))
		lo, hi := w.positions(w.communities[ci].slot, w.communities[ci].slots)
		add(activity{kind: "themed_party_day", title: pick(r, []string{"文明城市创建再行动", "我为巢湖创城作贡献", "红动网格·爱巢有我"}) + "主题党日",
			community: ci, starts: from.Add(time.Duration(r.Int64N(int64(span)))), participants: min(r.between(10, 25)*k, hi-lo), pool: "community"})
	}
	justice := w.unitsWhere(func(u unit) bool { return u.justice })
	served := spread(r, w.n.legalServed, w.n.legalEvents, 0.5)
	for i := 0; i < w.n.legalEvents; i++ {
		add(activity{kind: "legal_publicity", title: pick(r, []string{"普法小蓝帽进网格", "天天315进社区"}), community: r.IntN(len(w.communities)),
			unit: w.units[pick(r, justice)].id, starts: w.timeIn(r), served: served[i], participants: 5, pool: "volunteers", block: r.IntN(w.n.volunteers)})
	}
	parts, served := spread(r, w.n.classPersonTimes, w.n.classEvents, 0.5), spread(r, w.n.classServed, w.n.classEvents, 0.5)
	for i := 0; i < w.n.classEvents; i++ {
		add(activity{kind: "micro_classroom", title: "青·筑梦微爱课堂：" + pick(r, []string{"主题课堂", "榜样课堂", "移动课堂", "实践课堂"}),
			community: r.IntN(len(w.communities)), starts: w.timeIn(r), served: served[i], participants: parts[i], pool: "volunteers", block: r.IntN(w.n.volunteers)})
	}
	parts, block := spread(r, w.n.intersectionMembers, len(w.crossings), 0.5), 0
	for i, x := range w.crossings {
		add(activity{kind: "intersection_duty", title: x.name + "文明劝导", community: int(x.community - 1), intersection: x.id,
			starts: w.timeIn(r), participants: parts[i], pool: "crossing", block: block})
		block += parts[i]
	}
	parts, served, block = spread(r, w.n.vaccinationMembers, w.n.vaccinationEvents, 0.5), spread(r, w.n.vaccinationServed, w.n.vaccinationEvents, 0.5), 0
	for i := 0; i < w.n.vaccinationEvents; i++ {
		add(activity{kind: "vaccination_drive", title: "疫苗接种进楼入户摸排", community: i % len(w.communities), starts: w.timeIn(r),
			served: served[i], participants: parts[i], pool: "vaccination", block: block})
		block += parts[i]
	}
	civilised := w.unitsWhere(func(u unit) bool { return u.civilised })
	parts = spread(r, w.n.coBuildingPersonTimes, w.n.coBuildingEvents, 0.5)
	for i := 0; i < w.n.coBuildingEvents; i++ {
		add(activity{kind: "co_building_service", title: "七联共建志愿服务", community: r.IntN(len(w.communities)), unit: w.units[pick(r, civilised)].id,
			starts: w.timeIn(r), served: r.between(20, 200), participants: parts[i], pool: "volunteers", block: r.IntN(w.n.volunteers)})
	}
	for i := 0; i < 14; i++ {
		p := w.projects[i]
		add(activity{kind: "micro_welfare", title: "红领公益微服务：" + p.name, community: int(p.community - 1), org: w.socialOrgs[i%9].id,
			project: p.id, starts: w.timeIn(r), served: r.between(20, 80), participants: 5, pool: "volunteers", block: r.IntN(w.n.volunteers)})
	}
	first := 0
	for i := range as {
		as[i].first, first = first, first+as[i].participants
	}
	return as
}

func (w *world) unitsWhere(keep func(unit) bool) []int {
	var out []int
	for i, u := range w.units {
		if keep(u) {
			out = append(out, i)
		}
	}
	return out
}

func (w *world) activityJobs() []job {
	as := w.activities()
	return []job{
		fixed("activities", len(as), []string{"id", "kind", "title", "street_id", "community_id", "intersection_id", "organiser_unit_id",
			"team_id", "social_organisation_id", "venture_project_id", "starts_at", "ends_at", "people_served"},
			func(r *rowRand, i int, row func(...any)) {
				a := as[i]
				var community any
				if a.community >= 0 {
					community = w.communities[a.community].id
				}
				row(a.id, a.kind, a.title, a.street, community, nz(a.intersection), nz(a.unit), nz(a.team), nz(a.org), nz(a.project),
					a.starts, a.starts.Add(time.Duration(r.between(2, 4))*time.Hour), a.served)
			}),
		w.participantJob(as),
		w.meetingJob(),
		w.scheduledMeetingJob(),
		w.scheduledAttendeeJob(),
		w.matterJob(),
		w.matterEventJob(),
	}
}

// participantJob writes one entity per participant slot, not per activity: an activity's
// participants grow with the scale, and an entity's rows are held until COPY reads them.
func (w *world) participantJob(as []activity) job {
	last := as[len(as)-1]
	crossing, vaccination := newPerm(w.n.verified, w.hash("crossing", 0)), newPerm(w.n.verified, w.hash("vaccination", 0))
	return fixed("activity_participants", last.first+last.participants, []string{"id", "activity_id", "street_id", "community_id", "person_id", "role", "hours"},
		func(r *rowRand, e int, row func(...any)) {
			a := as[sort.Search(len(as), func(j int) bool { return as[j].first+as[j].participants > e })]
			k := e - a.first
			var person int64
			role := "party_member"
			switch a.pool {
			case "community":
				person = w.invitee(a, k)
			case "crossing":
				person = w.memberPerson(w.verifiedMember(crossing.apply(a.block + k)))
			case "vaccination":
				person = w.memberPerson(w.verifiedMember(vaccination.apply(a.block + k)))
			case "volunteers":
				person, role = w.people.volunteers+int64((a.block+k)%w.n.volunteers)+1, "volunteer"
			}
			if person == 0 {
				return
			}
			row(int64(e+1), a.id, a.street, w.communities[a.community].id, person, role, float64(r.between(2, 8))/2)
		})
}

// invitee is the person of the k-th member invited to themed party day a, or 0 if that
// member is not verified and stays away. Invitees are distinct members of the community:
// positions of a permutation, keyed by the activity, of the community's home-layout run.
func (w *world) invitee(a activity, k int) int64 {
	c := w.communities[a.community]
	lo, hi := w.positions(c.slot, c.slots)
	i := w.home.invert(lo + newPerm(hi-lo, w.hash("themed", int(a.id))).apply(k))
	if !w.verified(i) {
		return 0
	}
	return w.memberPerson(i)
}

func (w *world) meetings() int { return len(w.communities) * 8 }

// meetingStart is the first day of the quarter of meeting i: each community meets once in
// each of the last eight quarters, i%8 counting from the oldest.
func (w *world) meetingStart(i int) time.Time {
	q := time.Date(w.asOf.Year(), time.Month((int(w.asOf.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	return q.AddDate(0, -3*(8-i%8), 0)
}

// meetingHeld is the day meeting i was held: the first draw of its row, so r must stand at
// the meeting's place in the joint_meetings stream. Held within 10–80 days of the quarter's
// start, a community's meetings come in the order of their quarters.
func (w *world) meetingHeld(r *rowRand, i int) time.Time {
	return w.meetingStart(i).AddDate(0, 0, r.between(10, 80))
}

// meetingJob holds a joint meeting in each community in each of the last eight quarters.
func (w *world) meetingJob() job {
	return fixed("joint_meetings", w.meetings(), []string{"id", "street_id", "community_id", "held_on", "title", "attendees"},
		func(r *rowRand, i int, row func(...any)) {
			c := w.communities[i/8]
			start := w.meetingStart(i)
			held := w.meetingHeld(r, i)
			row(int64(i+1), c.street, c.id, held, fmt.Sprintf("%s%d年第%d季度党建联席会", c.name, start.Year(), (int(start.Month())-1)/3+1), r.between(8, 20))
		})
}

// scheduled is how many communities have their next joint meeting scheduled: every other one.
func (w *world) scheduled() int { return (len(w.communities) + 1) / 2 }

// scheduledAgendas are the agendas the scheduled meetings draw from.
var scheduledAgendas = [][]string{
	{"通报上季度议定事项落实情况", "加装电梯意见征集", "冬季安全巡查安排"},
	{"通报上季度议定事项落实情况", "老旧小区停车位规划", "共建单位认领微心愿"},
	{"通报上季度议定事项落实情况", "邻里纠纷联合调解", "志愿服务排班"},
}

// scheduledMeetingJob schedules the next joint meeting of every other community, 7–40 days
// after asOf at nine in the morning, at its service centre: state scheduled, with an agenda.
// Its id follows the held meetings'; held_on is the day it is scheduled for.
func (w *world) scheduledMeetingJob() job {
	return fixed("joint_meetings:scheduled", w.scheduled(), []string{"id", "street_id", "community_id", "held_on", "title", "state",
		"scheduled_at", "place", "agenda"},
		func(r *rowRand, i int, row func(...any)) {
			c := w.communities[2*i]
			day := w.asOf.In(shanghai).AddDate(0, 0, r.between(7, 40))
			at := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, shanghai)
			held := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
			row(int64(w.meetings()+i+1), c.street, c.id, held, fmt.Sprintf("%s%d年第%d季度党建联席会", c.name, day.Year(), (int(day.Month())-1)/3+1),
				"scheduled", at, "党群服务中心", scheduledAgendas[i%len(scheduledAgendas)])
		})
}

// scheduledAttendeeJob names the community cadres of each scheduled meeting's community to
// attend it.
func (w *world) scheduledAttendeeJob() job {
	type named struct {
		meeting int
		person  int64
		c       community
	}
	var all []named
	for i := range w.scheduled() {
		c := w.communities[2*i]
		for _, k := range c.cadres {
			all = append(all, named{w.meetings() + i + 1, w.cadres[k].person, c})
		}
	}
	return fixed("meeting_attendees", len(all), []string{"id", "meeting_id", "street_id", "community_id", "person_id", "role"},
		func(_ *rowRand, i int, row func(...any)) {
			a := all[i]
			row(int64(i+1), int64(a.meeting), a.c.street, a.c.id, a.person, "cadre")
		})
}

// matter is one seeded meeting matter: the meeting (index) that recorded it and where it
// stands now.
type matter struct {
	id                   int64
	meeting              int
	street, community    int64
	kind, title, outcome string
}

func (w *world) matterTotal() int {
	n := w.n
	return n.majorMatters + n.disputesMediated + 20*w.opts.Scale + n.otherMatters
}

// matter draws matter i from its own stream (meeting_matters), so the matter's history can
// draw it again, then go on in the same stream.
func (w *world) matter(r *rowRand, i int) matter {
	r.at("meeting_matters", i)
	n := w.n
	unresolved := 20 * w.opts.Scale
	m := i % w.meetings()
	c := w.communities[m/8]
	kind, outcome, title := "major_matter", pick(r, []string{"decided", "decided", "discussed"}), pick(r, []string{"老旧小区改造方案", "停车位规划", "加装电梯", "物业选聘"})
	switch {
	case i < n.majorMatters:
	case i < n.majorMatters+n.disputesMediated:
		kind, outcome, title = "dispute", "mediated", pick(r, []string{"物业费纠纷联合调解", "邻里漏水纠纷联合调解", "停车纠纷联合调解"})
	case i < n.majorMatters+n.disputesMediated+unresolved:
		kind, outcome, title = "dispute", "unresolved", "房屋买卖纠纷"
	default:
		kind, title = pick(r, []string{"practical_matter", "urgent_matter"}), pick(r, []string{"困难家庭帮扶", "汛期排涝", "冬季供暖"})
	}
	return matter{id: int64(i + 1), meeting: m, street: c.street, community: c.id, kind: kind, title: title, outcome: outcome}
}

func (w *world) matterJob() job {
	return job{name: "meeting_matters", table: "meeting_matters", entities: w.matterTotal(),
		columns: []string{"id", "meeting_id", "street_id", "community_id", "kind", "title", "outcome"},
		emit: func(r *rowRand, i int, row func(...any)) {
			m := w.matter(r, i)
			row(m.id, int64(m.meeting+1), m.street, m.community, m.kind, m.title, m.outcome)
		}}
}

// matterPaths are the ways to a seeded outcome, each with the share of the matters that took
// it when the community met often enough after the recording; the rest were recorded with
// their outcome. A path is the outcome recorded, then one per later meeting, as the outcome
// machine (workflow.NextOutcome) allows: major matters discussed and decided later, or left
// unresolved and taken up again; disputes mediated at a later meeting.
var matterPaths = map[string][]struct {
	share float64
	path  []string
}{
	"decided":   {{0.35, []string{"discussed", "decided"}}, {0.10, []string{"unresolved", "discussed", "decided"}}},
	"discussed": {{0.20, []string{"unresolved", "discussed"}}},
	"mediated":  {{0.30, []string{"unresolved", "mediated"}}},
}

// matterNotes are what the cadre noted when a later meeting moved a matter to an outcome.
var matterNotes = map[string]string{
	"discussed": "重新提交联席会议讨论",
	"decided":   "经联席会议再议，表决通过",
	"mediated":  "再次联合调解，双方达成协议",
}

// matterEvent is one row of a matter's history.
type matterEvent struct {
	action, from, to, note string
	actor                  int64
	at                     time.Time
}

// matterHistory is how m came to its outcome: recorded at its meeting by one of the
// community's cadres, moved at the community's next meetings, each change during that
// meeting's working day (09:00–17:00 in Chaohu). It draws from r after m's own draws, and
// reads the meetings' days through days (any rowRand of the seed).
func (w *world) matterHistory(r *rowRand, m matter, days *rowRand) []matterEvent {
	path := []string{m.outcome}
	x, later := r.Float64(), 7-m.meeting%8
	for _, p := range matterPaths[m.outcome] {
		if x < p.share {
			if len(p.path)-1 <= later {
				path = p.path
			}
			break
		}
		x -= p.share
	}
	cadres := w.communities[m.meeting/8].cadres
	events := make([]matterEvent, len(path))
	for k, to := range path {
		held := w.meetingHeld(days.at("joint_meetings", m.meeting+k), m.meeting+k)
		e := matterEvent{action: "set_outcome", to: to, note: matterNotes[to], actor: w.cadres[pick(r, cadres)].person,
			at: held.Add(time.Duration(r.between(60, 540)) * time.Minute)}
		if k == 0 {
			e.action, e.note = "record", ""
		} else {
			e.from = path[k-1]
		}
		events[k] = e
	}
	return events
}

// matterEventJob writes each matter's history (matter_events), as recording a matter and
// setting its outcome do.
func (w *world) matterEventJob() job {
	days := newRowRand(w.opts.Seed)
	return job{name: "matter_events", table: "matter_events", entities: w.matterTotal(),
		columns: []string{"id", "matter_id", "street_id", "community_id", "actor_id", "actor_role", "action", "from_state", "to_state", "note", "at"},
		emit: func(r *rowRand, i int, row func(...any)) {
			m := w.matter(r, i)
			for k, e := range w.matterHistory(r, m, days) {
				var from any
				if e.from != "" {
					from = e.from
				}
				row(m.id*4+int64(k), m.id, m.street, m.community, e.actor, "community_cadre", e.action, from, e.to, e.note, e.at)
			}
		}}
}
