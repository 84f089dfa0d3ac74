package seed

import (
	"fmt"
	"time"
)

type issueCategory struct {
	code, name, zh, group string
	deadline              int
	unit                  string
	titles                []string
}

var issueCategories = []issueCategory{
	{"greening", "Missing greening", "缺少绿化", "old_compound", 30, "m2", []string{"小区空地缺少绿化", "楼前绿化带荒废", "宅间绿地被侵占"}},
	{"old_facilities", "Worn-out facilities", "设施陈旧", "old_compound", 20, "", []string{"单元门禁损坏", "健身器材老化", "楼道照明不亮"}},
	{"disorderly_parking", "Disorderly parking", "乱停乱放", "old_compound", 7, "", []string{"电动车楼道停放充电", "消防通道被车辆占用", "共享单车堆放"}},
	{"railing_repair", "Railing repair", "栏杆维修", "infrastructure", 10, "", []string{"楼梯扶手松动", "河道护栏破损", "围墙栏杆锈蚀"}},
	{"street_lamp_repair", "Street lamp repair", "路灯维修", "infrastructure", 5, "", []string{"背街小巷路灯不亮", "小区路灯损坏", "路灯杆倾斜"}},
	{"pipe_repair", "Pipe repair", "管道维修", "infrastructure", 5, "", []string{"雨水管道堵塞", "污水井冒溢", "自来水管渗漏"}},
	{"neighbour_dispute", "Neighbour dispute", "邻里纠纷", "dispute", 15, "", []string{"楼上漏水引发纠纷", "噪音扰民纠纷", "公共区域占用纠纷"}},
	{"sanitation", "Sanitation", "环境卫生", "environment", 3, "", []string{"垃圾清运不及时", "楼道堆放杂物", "小广告乱贴"}},
	{"back_alley", "Back-alley clean-up", "背街小巷整治", "environment", 10, "", []string{"背街小巷路面破损", "背街小巷积水", "占道经营"}},
	{"fire_hazard", "Fire hazard", "消防隐患", "safety", 2, "", []string{"飞线充电", "消防栓无水", "楼道堆放易燃物"}},
	{"public_security", "Public security", "治安问题", "safety", 3, "", []string{"小区监控损坏", "陌生人员频繁出入", "夜间聚集喧哗"}},
	{"convenience_service", "Convenience service", "便民服务", "public_service", 5, "", []string{"老人办理社保认证困难", "需要上门代办证件", "独居老人需要帮扶"}},
	{"suggestion", "Opinion or suggestion", "意见建议", "suggestion", 15, "", []string{"建议增设充电桩", "建议增加休闲座椅", "建议开设老年食堂"}},
}

// issueStory is everything the register, its history and its mediators hold about one issue.
// It is drawn from the issue's own random stream, so the three jobs that write it agree.
type issueStory struct {
	id                         int64
	cat                        int
	at                         home
	title, description         string
	reporter                   int64
	reporterRole               string
	state                      string
	handlerKind                string
	handlerPerson, handlerUnit int64
	escalation                 string
	due, reported, resolved    time.Time
	closed                     time.Time
	resolution                 string
	quantity                   float64
	dispute                    bool
	mediators                  []mediator
	events                     []issueEvent
}

type mediator struct {
	person int64
	role   string
}

type issueEvent struct {
	action, from, to, actorRole, note string
	actor                             int64
	at                                time.Time
}

func (w *world) issueTotal() int {
	n := w.n
	return n.issuesOld + n.issuesInfra + n.issuesDispute + n.issuesOther + n.issuesOpen
}

// issueCategoryOf lays out the register: handled old-compound problems first, then
// infrastructure repairs, mediated disputes, other handled issues, and the open ones.
func (w *world) issueCategoryOf(r *rowRand, i int) (cat int, handled bool) {
	n := w.n
	switch {
	case i < n.issuesOld:
		return i % 3, true
	case i < n.issuesOld+n.issuesInfra:
		return 3 + (i-n.issuesOld)%3, true
	case i < n.issuesOld+n.issuesInfra+n.issuesDispute:
		return 6, true
	case i < n.issuesOld+n.issuesInfra+n.issuesDispute+n.issuesOther:
		return 7 + (i-n.issuesOld-n.issuesInfra-n.issuesDispute)%6, true
	}
	return r.IntN(len(issueCategories)), false
}

// greeningParts splits the greening figure among the handled greening issues, every third
// old-compound issue.
func (w *world) greeningParts() spreader {
	return newSpreader(w.n.greeningM2, (w.n.issuesOld+2)/3, 0.6, w.hash("greening", 0))
}

func (w *world) issueStory(r *rowRand, i int, greening spreader) issueStory {
	r.at("issue", i)
	cat, handled := w.issueCategoryOf(r, i)
	c := issueCategories[cat]
	g := w.grids[r.IntN(len(w.grids))]
	s := issueStory{id: int64(i + 1), cat: cat, at: home{g.street, g.community, g.id, 0}, dispute: c.group == "dispute"}
	b := pick(r, g.buildings)
	if r.chance(0.7) {
		s.at.building = w.buildings[b].id
	}
	s.title = pick(r, c.titles)
	s.description = fmt.Sprintf("%s%s居民反映：%s，请尽快处理。", g.name, w.buildings[b].number, s.title)
	s.reporter, s.reporterRole = w.issueReporter(r, g, b)
	if cat == 0 && handled {
		s.quantity = float64(greening.at(i / 3))
	}
	if handled {
		w.handledStory(r, &s, c)
	} else {
		w.openStory(r, &s, c)
	}
	return s
}

func (w *world) issueReporter(r *rowRand, g grid, b int) (int64, string) {
	c := w.communities[g.ci]
	x := r.Float64()
	switch {
	case x < 0.35:
		return w.cadres[pick(r, c.cadres)].person, "grid_worker"
	case x < 0.5:
		return w.cadres[g.ci].person, "cadre"
	case x < 0.65:
		if mi := w.verifiedIn(r, g.slot, g.slots); mi >= 0 {
			return w.memberPerson(mi), "party_member"
		}
	}
	return w.people.residents + int64(w.residentIn(r, b)) + 1, "resident"
}

// handler picks who an issue is dispatched to.
func (w *world) handler(r *rowRand, s *issueStory) {
	g := w.grids[s.at.grid-1]
	c := w.communities[g.ci]
	x := r.Float64()
	switch {
	case s.dispute || x < 0.5:
		s.handlerKind, s.handlerPerson = "cadre", w.cadres[pick(r, c.cadres)].person
		return
	case x < 0.65:
		s.handlerKind, s.handlerUnit = "unit", w.units[r.IntN(len(w.units))].id
		return
	case x < 0.8:
		if mi := w.verifiedIn(r, g.slot, g.slots); mi >= 0 {
			s.handlerKind, s.handlerPerson = "party_member", w.memberPerson(mi)
			return
		}
	}
	s.handlerKind, s.handlerPerson = "partner", w.people.partners+int64(g.ci*3+r.IntN(3))+1
}

// timeline appends events one after another, each some time after the last.
type timeline struct {
	s     *issueStory
	r     *rowRand
	now   time.Time
	state string
}

func (t *timeline) step(minH, maxH int, action, to string, actor int64, role, note string) {
	t.now = t.now.Add(time.Duration(t.r.between(minH*60, maxH*60)) * time.Minute)
	t.s.events = append(t.s.events, issueEvent{action: action, from: t.state, to: to, actor: actor, actorRole: role, note: note, at: t.now})
	t.state = to
}

func (w *world) handledStory(r *rowRand, s *issueStory, c issueCategory) {
	span := w.asOf.AddDate(0, 0, -75).Sub(w.start)
	s.reported = w.start.Add(time.Duration(r.Int64N(int64(span))))
	w.handler(r, s)
	cadre := w.cadres[pick(r, w.communities[w.grids[s.at.grid-1].ci].cadres)].person
	actor := s.handlerPerson
	if actor == 0 {
		actor = cadre
	}
	t := &timeline{s: s, r: r, now: s.reported}
	s.events = append(s.events, issueEvent{action: "report", to: "reported", actor: s.reporter, actorRole: s.reporterRole, at: s.reported})
	t.state = "reported"
	t.step(1, 24, "accept", "accepted", cadre, "community_cadre", "已受理")
	t.step(1, 48, "dispatch", "dispatched", cadre, "community_cadre", "交办处理")
	s.due = t.now.AddDate(0, 0, c.deadline)
	t.step(1, 24, "start", "in_progress", actor, s.handlerKind, "")
	if r.chance(0.08) {
		s.escalation = pick(r, []string{"community", "street"})
		t.step(1, 72, "escalate", "escalated", actor, s.handlerKind, "需上级协调，上报"+map[string]string{"community": "社区", "street": "街道"}[s.escalation])
		t.step(1, 48, "dispatch", "dispatched", w.cadres[w.grids[s.at.grid-1].ci].person, "street_cadre", "协调后重新交办")
		t.step(1, 24, "start", "in_progress", actor, s.handlerKind, "")
	}
	hours := int(float64(c.deadline*24) * (0.2 + 1.2*r.Float64()))
	t.step(max(hours-1, 1), max(hours, 2), "resolve", "resolved", actor, s.handlerKind, "已处理完毕")
	s.resolved, s.state = t.now, "resolved"
	s.resolution = "已按要求处理：" + s.title
	if s.dispute {
		s.mediators = append(s.mediators, mediator{cadre, "cadre"})
		if r.chance(0.5) {
			s.mediators = append(s.mediators, mediator{w.people.partners + int64(w.grids[s.at.grid-1].ci*3) + 1, "partner"})
		}
	}
	if r.chance(0.92) {
		t.step(24, 120, "close", "closed", cadre, "community_cadre", "核实办结，销号")
		s.closed, s.state = t.now, "closed"
	}
}

var openStates = []string{"reported", "accepted", "dispatched", "in_progress", "escalated", "returned", "reopened"}

func (w *world) openStory(r *rowRand, s *issueStory, c issueCategory) {
	final := pick(r, openStates)
	span := 59 * 24 * time.Hour
	s.reported = w.asOf.Add(-30 * 24 * time.Hour).Add(-time.Duration(r.Int64N(int64(span)))).Add(24 * time.Hour)
	if final == "reopened" {
		s.reported = s.reported.AddDate(0, 0, -30)
	}
	cadre := w.cadres[pick(r, w.communities[w.grids[s.at.grid-1].ci].cadres)].person
	t := &timeline{s: s, r: r, now: s.reported, state: "reported"}
	s.events = append(s.events, issueEvent{action: "report", to: "reported", actor: s.reporter, actorRole: s.reporterRole, at: s.reported})
	s.state = "reported"
	order := []string{"accepted", "dispatched", "in_progress"}
	if final == "reported" {
		return
	}
	t.step(1, 3, "accept", "accepted", cadre, "community_cadre", "已受理")
	if final == "accepted" {
		s.state = final
		return
	}
	w.handler(r, s)
	actor := s.handlerPerson
	if actor == 0 {
		actor = cadre
	}
	t.step(1, 3, "dispatch", "dispatched", cadre, "community_cadre", "交办处理")
	s.due = t.now.AddDate(0, 0, c.deadline)
	switch final {
	case "dispatched":
	case "returned":
		t.step(1, 3, "return", "returned", actor, s.handlerKind, "不属于本单位职责，退回")
	case "escalated":
		t.step(1, 3, "start", "in_progress", actor, s.handlerKind, "")
		s.escalation = pick(r, []string{"community", "street"})
		t.step(1, 3, "escalate", "escalated", actor, s.handlerKind, "需上级协调")
	case "in_progress":
		t.step(1, 3, "start", "in_progress", actor, s.handlerKind, "")
	case "reopened":
		t.step(1, 3, "start", "in_progress", actor, s.handlerKind, "")
		t.step(24, 72, "resolve", "resolved", actor, s.handlerKind, "已处理")
		t.step(24, 72, "close", "closed", cadre, "community_cadre", "销号")
		t.step(24, 72, "reopen", "reopened", s.reporter, s.reporterRole, "问题反弹，重新打开")
	}
	_ = order
	s.state = t.state
}

func (w *world) issueJobs() []job {
	greening := w.greeningParts()
	story := func(r *rowRand, i int) issueStory { return w.issueStory(r, i, greening) }
	return []job{
		fixed("issue_categories", len(issueCategories), []string{"id", "code", "name", "name_zh", "category_group", "deadline_days", "quantity_unit"},
			func(_ *rowRand, i int, row func(...any)) {
				c := issueCategories[i]
				var unit any
				if c.unit != "" {
					unit = c.unit
				}
				row(int64(i+1), c.code, c.name, c.zh, c.group, c.deadline, unit)
			}),
		{name: "issues", table: "issues", entities: w.issueTotal(), columns: []string{"id", "street_id", "community_id", "grid_id", "building_id",
			"category_id", "title", "description", "reporter_id", "reporter_role", "state", "handler_kind", "handler_person_id", "handler_unit_id",
			"escalation_level", "due_at", "reported_at", "resolved_at", "closed_at", "resolution", "resolved_quantity", "is_dispute", "dispute_outcome"},
			emit: func(r *rowRand, i int, row func(...any)) {
				s := story(r, i)
				var kind, due, resolved, closed, resolution, quantity, outcome, escalation any
				if s.handlerKind != "" {
					kind = s.handlerKind
				}
				if !s.due.IsZero() {
					due = s.due
				}
				if s.state == "resolved" || s.state == "closed" {
					resolved, resolution = s.resolved, s.resolution
					if s.dispute {
						outcome = "mediated"
					}
				}
				if s.state == "closed" {
					closed = s.closed
				}
				if s.quantity > 0 {
					quantity = s.quantity
				}
				if s.escalation != "" {
					escalation = s.escalation
				}
				row(s.id, s.at.street, s.at.community, s.at.grid, nz(s.at.building), int64(s.cat+1), s.title, s.description, s.reporter,
					s.reporterRole, s.state, kind, nz(s.handlerPerson), nz(s.handlerUnit), escalation, due, s.reported, resolved, closed,
					resolution, quantity, s.dispute, outcome)
			}},
		{name: "issue_events", table: "issue_events", entities: w.issueTotal(), columns: []string{"id", "issue_id", "street_id", "community_id",
			"grid_id", "actor_id", "actor_role", "action", "from_state", "to_state", "note", "at"},
			emit: func(r *rowRand, i int, row func(...any)) {
				s := story(r, i)
				for k, e := range s.events {
					var from any
					if e.from != "" {
						from = e.from
					}
					row(s.id*10+int64(k), s.id, s.at.street, s.at.community, s.at.grid, e.actor, e.actorRole, e.action, from, e.to, e.note, e.at)
				}
			}},
		{name: "issue_mediators", table: "issue_mediators", entities: w.issueTotal(), columns: []string{"id", "issue_id", "street_id",
			"community_id", "grid_id", "person_id", "role"},
			emit: func(r *rowRand, i int, row func(...any)) {
				s := story(r, i)
				for k, m := range s.mediators {
					row(s.id*4+int64(k), s.id, s.at.street, s.at.community, s.at.grid, m.person, m.role)
				}
			}},
		w.workLogJob(),
	}
}

func (w *world) workLogJob() job {
	n := w.n
	frontline := n.frontlinePeople / 3
	parts := newSpreader(n.frontlinePeople, frontline, 0.8, w.hash("frontline", 0))
	return job{name: "work_logs", table: "work_logs", entities: frontline + n.consultations + n.patrols,
		columns: []string{"id", "street_id", "community_id", "grid_id", "cadre_id", "kind", "logged_at", "content", "people_served", "hours"},
		emit: func(r *rowRand, i int, row func(...any)) {
			g := w.grids[r.IntN(len(w.grids))]
			c := w.communities[g.ci]
			cadre := w.cadres[pick(r, c.cadres)].id
			if r.chance(0.3) {
				cadre = w.cadres[g.ci].id // the street leader instructing the community's grids
			}
			kind, people, content := "", 0, ""
			switch {
			case i < frontline:
				kind, people, content = "frontline_service", parts.at(i), "入户走访，现场为群众解决问题"
			case i < frontline+n.consultations:
				kind, people = pick(r, []string{"policy_consultation", "convenience_service"}), 1
				content = pick(r, []string{"解读医保缴费政策", "协助办理居住证", "代办老年优待证", "解答养老保险认证"})
			default:
				kind = pick(r, []string{"patrol", "resident_visit", "environment_cleanup"})
				content = pick(r, []string{"网格日常巡查", "走访独居老人", "组织清理楼道杂物"})
			}
			row(int64(i+1), g.street, g.community, g.id, cadre, kind, w.timeIn(r), content, people, float64(r.between(1, 8))/2)
		}}
}
