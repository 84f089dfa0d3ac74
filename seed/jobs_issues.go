package seed

import (
	"fmt"
	"math"
	"time"
)

type issueCategory struct {
	code, name, zh, group string
	deadline              int
	unit                  string
	titles                []string
	working               bool // deadline counts working days of the work calendar
	resolvePhoto          bool // resolved only once a photo of the result is attached (requires_resolve_photo)
}

var issueCategories = []issueCategory{
	{"greening", "Missing greening", "缺少绿化", "old_compound", 30, "m2", []string{"小区空地缺少绿化", "楼前绿化带荒废", "宅间绿地被侵占"}, false, true},
	{"old_facilities", "Worn-out facilities", "设施陈旧", "old_compound", 20, "", []string{"单元门禁损坏", "健身器材老化", "楼道照明不亮"}, false, false},
	{"disorderly_parking", "Disorderly parking", "乱停乱放", "old_compound", 7, "", []string{"电动车楼道停放充电", "消防通道被车辆占用", "共享单车堆放"}, false, false},
	{"railing_repair", "Railing repair", "栏杆维修", "infrastructure", 10, "", []string{"楼梯扶手松动", "河道护栏破损", "围墙栏杆锈蚀"}, false, true},
	{"street_lamp_repair", "Street lamp repair", "路灯维修", "infrastructure", 5, "", []string{"背街小巷路灯不亮", "小区路灯损坏", "路灯杆倾斜"}, false, true},
	{"pipe_repair", "Pipe repair", "管道维修", "infrastructure", 5, "", []string{"雨水管道堵塞", "污水井冒溢", "自来水管渗漏"}, false, true},
	{"neighbour_dispute", "Neighbour dispute", "邻里纠纷", "dispute", 15, "", []string{"楼上漏水引发纠纷", "噪音扰民纠纷", "公共区域占用纠纷"}, false, false},
	{"sanitation", "Sanitation", "环境卫生", "environment", 3, "", []string{"垃圾清运不及时", "楼道堆放杂物", "小广告乱贴"}, false, false},
	{"back_alley", "Back-alley clean-up", "背街小巷整治", "environment", 10, "", []string{"背街小巷路面破损", "背街小巷积水", "占道经营"}, false, true},
	{"fire_hazard", "Fire hazard", "消防隐患", "safety", 2, "", []string{"飞线充电", "消防栓无水", "楼道堆放易燃物"}, false, false},
	{"public_security", "Public security", "治安问题", "safety", 3, "", []string{"小区监控损坏", "陌生人员频繁出入", "夜间聚集喧哗"}, false, false},
	{"convenience_service", "Convenience service", "便民服务", "public_service", 5, "", []string{"老人办理社保认证困难", "需要上门代办证件", "独居老人需要帮扶"}, true, false},
	{"suggestion", "Opinion or suggestion", "意见建议", "suggestion", 15, "", []string{"建议增设充电桩", "建议增加休闲座椅", "建议开设老年食堂"}, true, false},
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
	attachments                []attachment // photos attached to it (see issueAttachments)

	// What the deadline steps left on the issue at --as-of (see deadlineEvents).
	warned, lastUrged  time.Time
	urges, extensions  int
	supervisor         int64
	supervised, supDue time.Time
	supNote            string
	verdict            *lifeStep // the last verdict, while it stands
	verdictBy          int64
	verdictAt          time.Time
	reopens            int
	extension          *issueExtension // drawn on the whole life; written if asked for before --as-of
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

// lived is one step of a life or one deadline event, at its time. A step moves the
// issue's state; a deadline event keeps it.
type lived struct {
	at    time.Time
	step  *lifeStep // a step of the life, else
	event issueEvent
	due   time.Time // supervise: the supervision's deadline
}

// The register is laid out by index: handled issues first, by category (see
// issueCategoryOf), then the open ones, category by category (n.issuesOpenBy). An issue's
// index decides whether it is resolved or closed at --as-of, so the published figures come
// out exact; its report time and its life are drawn so that it is (see issueStory).
func (w *world) issueTotal() int {
	n := w.n
	return n.issuesOld + n.issuesInfra + n.issuesDispute + n.issuesOther + n.issuesOpen
}

func (w *world) issuesHandled() int {
	n := w.n
	return n.issuesOld + n.issuesInfra + n.issuesDispute + n.issuesOther
}

// issueCategoryOf lays out the register: handled old-compound problems first, then
// infrastructure repairs, mediated disputes, other handled issues, and the open ones.
func (w *world) issueCategoryOf(i int) (cat int, handled bool) {
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
	i -= w.issuesHandled()
	for c, k := range n.issuesOpenBy {
		if i < k {
			return c, false
		}
		i -= k
	}
	return len(issueCategories) - 1, false
}

// handledBy counts the handled issues of each category in the layout of issueCategoryOf.
func (w *world) handledBy() []int {
	n := w.n
	by := make([]int, len(issueCategories))
	block := func(first, size, cats int) {
		for k := 0; k < cats; k++ {
			by[first+k] += (size - k + cats - 1) / cats // indices ≡ k mod cats in [0, size)
		}
	}
	block(0, n.issuesOld, 3)
	block(3, n.issuesInfra, 3)
	block(6, n.issuesDispute, 1)
	block(7, n.issuesOther, 6)
	return by
}

// issueLifeSamples is how many lives of each category countOpenIssues draws, of which
// issueResidentTwentieths in twenty of an issue a resident reported (see issueReporter).
const (
	issueLifeSamples        = 2000
	issueResidentTwentieths = 7
)

// countOpenIssues sizes the open part of the register. Issues are reported evenly over the
// data's span; an issue reported at a uniform time in it is still open at --as-of with
// probability q = (the time a life spends open, on average) ÷ span, so for h handled issues
// of a category the register holds h × q ÷ (1 − q) open ones: with those, reports are as
// dense in the last weeks as in any other. The mean time open is measured on lives drawn
// from a stream of its own (the world's stream is left alone).
func (w *world) countOpenIssues() {
	span := w.asOf.Sub(w.start)
	handled := w.handledBy()
	w.n.issuesOpenBy = make([]int, len(issueCategories))
	w.n.issuesOpen = 0
	r := newRowRand(w.opts.Seed)
	var steps []lifeStep
	for c, h := range handled {
		r.at("issue-life", c)
		var open time.Duration
		for k := 0; k < issueLifeSamples; k++ {
			steps = life(r, issueCategories[c], k%20 < issueResidentTwentieths, steps)
			open += openTime(steps)
		}
		q := float64(open) / issueLifeSamples / float64(span)
		w.n.issuesOpenBy[c] = int(math.Round(float64(h) * q / (1 - q)))
		w.n.issuesOpen += w.n.issuesOpenBy[c]
	}
}

// greeningParts splits the greening figure among the handled greening issues, every third
// old-compound issue.
func (w *world) greeningParts() spreader {
	return newSpreader(w.n.greeningM2, (w.n.issuesOld+2)/3, 0.6, w.hash("greening", 0))
}

// Who takes a step of an issue's life.
const (
	byReporter = iota
	byCadre    // a community cadre of the issue's community
	byHandler  // whoever the issue is dispatched to (the cadre, for a unit)
	byLeader   // the street leader instructing the community
	byPhone    // a community cadre recording the verdict the reporter gave on the phone
	bySystem   // the scheduler: no person
)

// lifeStep is one step of an issue's life: an action, the state it leads to, who takes it
// and when, counted from the report.
type lifeStep struct {
	action, to, note string
	level            string // escalate: the level escalated to
	verdict, comment string // verdict: satisfied, unsatisfied or no_response, and the resident's words
	score            int    // verdict: 1 to 5, none for no_response
	by               int
	at               time.Duration
}

// issueVerdictDays is every category's verdict_days: the days a resident has for a verdict on
// a resolution before the scheduler closes the issue as "no response".
const issueVerdictDays = 7

// life draws the whole life of an issue of category c, from its report until it is closed
// (or, now and then, left resolved), as if time did not stop at --as-of, into steps (reused).
// It is accepted within a day and dispatched (交办) within two, which sets its due time;
// now and then the handler returns it (退回) and it is dispatched again, or work is escalated
// (上报) and the higher level dispatches it again. It is resolved after a time drawn around its
// category's deadline (some late). An issue a resident reported is then closed by the
// resident's verdict (满意度回访), given within days, recorded by a cadre after a phone call, or,
// when none comes, by the scheduler verdictDays after the resolution; now and then the
// resident is unsatisfied, which reopens it to be worked on once more. Any other issue is
// verified and closed out (销号) within days, and rarely reopened and worked on once more.
// Every step takes at least an hour. A life has at most lifeSteps steps, and none stays open
// longer than lifeBound.
func life(r *rowRand, c issueCategory, resident bool, steps []lifeStep) []lifeStep {
	var at time.Duration
	step := func(minH, maxH int, action, to string, by int, note string) {
		at += time.Duration(r.between(minH*60, maxH*60)) * time.Minute
		steps = append(steps, lifeStep{action: action, to: to, note: note, by: by, at: at})
	}
	resolve := func(least, spread float64) { // the work takes least to least+spread deadlines
		hours := int(float64(c.deadline*24) * (least + spread*r.Float64()))
		step(max(hours-1, 1), max(hours, 2), "resolve", "resolved", byHandler, "已处理完毕")
	}
	verdict := func(satisfied bool) {
		if satisfied && r.chance(0.12) { // none came: the scheduler closes it
			at += issueVerdictDays * 24 * time.Hour
			steps = append(steps, lifeStep{action: "verdict", to: "closed", verdict: "no_response", by: bySystem,
				note: "回访无应答: closed as no response", at: at})
			return
		}
		by := byReporter
		if r.chance(0.25) {
			by = byPhone
		}
		v, to, score, comment := "satisfied", "closed", pick(r, []int{4, 5, 5, 5}), pick(r, []string{"", "", "处理及时，谢谢", "很满意"})
		note := fmt.Sprintf("满意 %d分", score)
		if !satisfied {
			v, to, score, comment = "unsatisfied", "reopened", r.between(1, 3), pick(r, []string{"问题没有彻底解决", "处理不到位", ""})
			note = fmt.Sprintf("不满意 %d分", score)
		}
		if comment != "" {
			note += ": " + comment
		}
		step(1, 120, "verdict", to, by, note)
		st := &steps[len(steps)-1]
		st.verdict, st.score, st.comment = v, score, comment
	}
	steps = append(steps[:0], lifeStep{action: "report", to: "reported", by: byReporter})
	step(1, 24, "accept", "accepted", byCadre, "已受理")
	step(1, 48, "dispatch", "dispatched", byCadre, "交办处理")
	if r.chance(0.04) {
		step(1, 48, "return", "returned", byHandler, "不属于本单位职责，退回")
		step(1, 24, "dispatch", "dispatched", byCadre, "重新交办")
	}
	step(1, 24, "start", "in_progress", byHandler, "")
	if r.chance(0.08) {
		level := pick(r, []string{"community", "street"})
		step(1, 72, "escalate", "escalated", byHandler, "需上级协调，上报"+map[string]string{"community": "社区", "street": "街道"}[level])
		steps[len(steps)-1].level = level
		step(1, 48, "dispatch", "dispatched", byLeader, "协调后重新交办")
		step(1, 24, "start", "in_progress", byHandler, "")
	}
	resolve(0.25, 1.05)
	if resident {
		if r.chance(0.07) {
			verdict(false)
			step(1, 24, "dispatch", "dispatched", byCadre, "重新交办")
			step(1, 24, "start", "in_progress", byHandler, "")
			resolve(0.1, 0.4) // reworking what was done
		}
		verdict(true)
		return steps
	}
	if !r.chance(0.92) {
		return steps // resolved, never verified
	}
	step(24, 120, "close", "closed", byCadre, "核实办结，销号")
	if r.chance(0.03) {
		step(24, 72, "reopen", "reopened", byReporter, "问题反弹，重新打开")
		step(1, 24, "dispatch", "dispatched", byCadre, "重新交办")
		step(1, 24, "start", "in_progress", byHandler, "")
		resolve(0.1, 0.4) // reworking what was done
		step(24, 120, "close", "closed", byCadre, "核实办结，销号")
	}
	return steps
}

// lifeSteps is the most steps a life has (a return, an escalation and a reopening).
const lifeSteps = 16

// issueEventSlots is the room each issue has in the ids of issue_events: the steps of its
// life and the deadline events around them (see deadlineEvents), at most 24.
const issueEventSlots = 32

// lifeBound bounds how long after its report a life of category c can still be open: the
// longest path through life takes at most 23 days besides its two resolutions, which take
// at most 1.3 and 0.5 × the deadline.
func lifeBound(c issueCategory) time.Duration {
	return time.Duration(24*24+1.8*24*float64(c.deadline)) * time.Hour
}

func openState(s string) bool { return s != "resolved" && s != "closed" }

// openTime is how long a life stays open (neither resolved nor closed) in all.
func openTime(steps []lifeStep) time.Duration {
	var d time.Duration
	for k := 0; k+1 < len(steps); k++ {
		if openState(steps[k].to) {
			d += steps[k+1].at - steps[k].at
		}
	}
	return d
}

// lived gives how many of the steps of a life reported at reported happen before --as-of.
func (w *world) lived(reported time.Time, steps []lifeStep) int {
	n := 0
	for n < len(steps) && reported.Add(steps[n].at).Before(w.asOf) {
		n++
	}
	return n
}

// issueTries bounds the draws of a report time and a life before issueStory settles for one.
const issueTries = 1000

// issueScratch is room an issue's story is drawn in, reused from one issue to the next: the
// story (its events, its verdict) is good until the next is drawn.
type issueScratch struct {
	steps       []lifeStep
	timeline    []lived
	events      []issueEvent
	attachments []attachment
	evidence    *rowRand // the stream photos are drawn from, apart from the story's
}

func (w *world) issueStory(r *rowRand, i int, greening spreader, scratch *issueScratch) issueStory {
	r.at("issue", i)
	cat, handled := w.issueCategoryOf(i)
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
	cadre := w.cadres[pick(r, w.communities[g.ci].cadres)].person
	w.handler(r, &s)

	// The report time and the life are drawn together, again until the issue stands at
	// --as-of as its place in the register says: resolved or closed, or still open. Handled
	// issues are reported anywhere in the span, open ones within lifeBound of its end (an
	// issue reported earlier is done by then). So each part of the register is an even flow
	// of reports cut at --as-of, and the two parts together are one.
	from := w.start
	if !handled {
		from = w.asOf.Add(-lifeBound(c))
	}
	steps := scratch.steps[:0]
	n := 0
	for try := 0; ; try++ {
		s.reported = from.Add(time.Duration(r.Int64N(int64(w.asOf.Sub(from)))))
		steps = life(r, c, s.reporterRole == "resident", steps)
		n = w.lived(s.reported, steps)
		if openState(steps[n-1].to) != handled {
			break
		}
		if try == issueTries { // never so far: settle for an issue that is surely done, or just reported
			if handled {
				s.reported, n = w.start, len(steps)
			} else {
				s.reported, n = w.asOf.Add(-steps[1].at/2), 1
			}
			break
		}
	}

	leader := w.cadres[g.ci].person
	scratch.steps = steps
	timeline := w.deadlineEvents(r, &s, c, cadre, leader, steps, scratch.timeline[:0])
	scratch.timeline = timeline
	dispatched := false
	s.events = scratch.events[:0]
	defer func() { scratch.events = s.events }()
	for _, l := range timeline {
		if !l.at.Before(w.asOf) {
			break
		}
		if l.step == nil { // a deadline event: the state stays
			e := l.event
			e.from, e.to = s.state, s.state
			switch e.action {
			case "warn":
				s.warned = e.at
			case "urge":
				s.urges, s.lastUrged = s.urges+1, e.at
			case "supervise":
				s.supervisor, s.supervised, s.supDue, s.supNote = e.actor, e.at, l.due, e.note
			case "approve_extension":
				s.due, s.warned, s.extensions = s.extension.requested, time.Time{}, s.extensions+1
			}
			s.events = append(s.events, e)
			continue
		}
		st := l.step
		e := issueEvent{action: st.action, from: s.state, to: st.to, note: st.note, at: l.at}
		switch st.by {
		case byReporter:
			e.actor, e.actorRole = s.reporter, s.reporterRole
		case byCadre, byPhone:
			e.actor, e.actorRole = cadre, "community_cadre"
		case byHandler:
			e.actor, e.actorRole = handlerActor(&s, cadre)
			if st.action == "return" { // an earlier handler, whom the issue is taken from
				first := issueStory{at: s.at, dispute: s.dispute}
				w.handler(r, &first)
				e.actor, e.actorRole = handlerActor(&first, cadre)
			}
		case byLeader:
			e.actor, e.actorRole = leader, "street_cadre"
		case bySystem:
			e.actor, e.actorRole = 0, "system"
		}
		switch st.action {
		case "dispatch":
			if !dispatched { // the due time is set at the first dispatch and kept
				s.due, dispatched = w.dueAt(e.at, c), true
			}
		case "escalate":
			s.escalation = st.level
		case "resolve":
			s.resolved, s.verdict = e.at, nil
		case "close":
			s.closed = e.at
		case "verdict":
			s.verdict, s.verdictBy, s.verdictAt = st, e.actor, e.at
			if st.to == "closed" {
				s.closed = e.at
			} else {
				s.reopens++
			}
		}
		s.events = append(s.events, e)
		s.state = st.to
	}
	if !dispatched {
		s.handlerKind, s.handlerPerson, s.handlerUnit = "", 0, 0
	}
	s.attachments = w.issueAttachments(scratch.evidence, &s, c, cadre, scratch.attachments)
	scratch.attachments = s.attachments
	if openState(s.state) {
		return s
	}
	s.resolution = "已按要求处理：" + s.title
	if cat == 0 && handled {
		s.quantity = float64(greening.at(i / 3))
	}
	if s.dispute {
		s.mediators = append(s.mediators, mediator{cadre, "cadre"})
		if r.chance(0.5) {
			s.mediators = append(s.mediators, mediator{w.people.partners + int64(g.ci*3) + 1, "partner"})
		}
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

// handlerActor is who acts for the handler of s: the person, or the cadre for a unit.
func handlerActor(s *issueStory, cadre int64) (int64, string) {
	if s.handlerPerson == 0 {
		return cadre, s.handlerKind
	}
	return s.handlerPerson, s.handlerKind
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

// storyTeller gives a function drawing issue stories, with room of its own (see issueScratch).
func (w *world) storyTeller() func(r *rowRand, i int) issueStory {
	greening := w.greeningParts()
	scratch := &issueScratch{steps: make([]lifeStep, 0, lifeSteps), timeline: make([]lived, 0, issueEventSlots),
		events: make([]issueEvent, 0, issueEventSlots), attachments: make([]attachment, 0, issueEvidenceSlots),
		evidence: newRowRand(w.opts.Seed)}
	return func(r *rowRand, i int) issueStory { return w.issueStory(r, i, greening, scratch) }
}

func (w *world) issueJobs() []job {
	// The issue jobs run one after the other, each drawing one story at a time: they share the room.
	story := w.storyTeller()
	return append([]job{
		fixed("issue_categories", len(issueCategories), []string{"id", "code", "name", "name_zh", "category_group", "deadline_days", "quantity_unit",
			"deadline_working_days", "warn_at_share", "verdict_days", "max_reopens", "requires_resolve_photo"},
			func(_ *rowRand, i int, row func(...any)) {
				c := issueCategories[i]
				var unit any
				if c.unit != "" {
					unit = c.unit
				}
				row(int64(i+1), c.code, c.name, c.zh, c.group, c.deadline, unit, c.working, float64(issueWarnPercent)/100, issueVerdictDays, 2, c.resolvePhoto)
			}),
		{name: "issues", table: "issues", entities: w.issueTotal(), columns: []string{"id", "street_id", "community_id", "grid_id", "building_id",
			"category_id", "title", "description", "reporter_id", "reporter_role", "state", "handler_kind", "handler_person_id", "handler_unit_id",
			"escalation_level", "due_at", "reported_at", "resolved_at", "closed_at", "resolution", "resolved_quantity", "is_dispute", "dispute_outcome",
			"urge_count", "last_urged_at", "warned_at", "extension_count", "supervisor_id", "supervised_at", "supervision_due_at", "supervision_note",
			"verdict", "verdict_score", "verdict_comment", "verdict_channel", "verdict_by", "verdict_at", "reopen_count", "location"},
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
				var supNote, verdict, score, comment, channel any
				if s.supervisor != 0 {
					supNote = s.supNote
				}
				var verdictAt time.Time
				if v := s.verdict; v != nil {
					verdict, channel, verdictAt = v.verdict, verdictChannels[v.by], s.verdictAt
					if v.verdict != "no_response" {
						score, comment = v.score, v.comment
					}
				}
				row(s.id, s.at.street, s.at.community, s.at.grid, nz(s.at.building), int64(s.cat+1), s.title, s.description, s.reporter,
					s.reporterRole, s.state, kind, nz(s.handlerPerson), nz(s.handlerUnit), escalation, due, s.reported, resolved, closed,
					resolution, quantity, s.dispute, outcome,
					s.urges, orNil(s.lastUrged), orNil(s.warned), s.extensions, nz(s.supervisor), orNil(s.supervised), orNil(s.supDue), supNote,
					verdict, score, comment, channel, nz(s.verdictBy), orNil(verdictAt), s.reopens, w.shapes.issueAt(s.at.grid, s.id).EWKB())
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
					row(s.id*issueEventSlots+int64(k), s.id, s.at.street, s.at.community, s.at.grid, nz(e.actor), e.actorRole, e.action, from, e.to, e.note, e.at)
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
	}, append(w.deadlineJobs(story), w.workLogJob())...)
}

// verdictChannels gives a verdict's channel by who gave it.
var verdictChannels = map[int]string{byReporter: "resident", byPhone: "phone", bySystem: "timeout"}

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
