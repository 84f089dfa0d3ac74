package seed

import (
	"slices"
	"time"
)

// Deadlines that hold (时限): an issue's due time is set at its first dispatch, in calendar or
// working days of the work calendar; on a slow issue the scheduler warns (预警) once
// issueWarnPercent of the time allowed has passed, cadres urge (催办), a street cadre now and
// then supervises (督办) one long overdue, and the handler asks for more time (延期), which a
// level above decides. All of it is drawn here on the whole life of an issue and cut at
// --as-of with it.

// shanghai is Asia/Shanghai, on UTC+8 without daylight saving since 1991: the zone the
// working calendar's days are counted in.
var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// workCalendar lists the public holidays and the adjusted working days (调休) on weekends of
// the State Council's schedules for 2025 and 2026; any other day follows the week.
var workCalendar = []struct {
	day     string
	workday bool
	note    string
}{
	{"2025-01-01", false, "元旦"},
	{"2025-01-26", true, "春节调休上班"},
	{"2025-01-28", false, "春节"}, {"2025-01-29", false, "春节"}, {"2025-01-30", false, "春节"}, {"2025-01-31", false, "春节"},
	{"2025-02-01", false, "春节"}, {"2025-02-02", false, "春节"}, {"2025-02-03", false, "春节"}, {"2025-02-04", false, "春节"},
	{"2025-02-08", true, "春节调休上班"},
	{"2025-04-04", false, "清明节"}, {"2025-04-05", false, "清明节"}, {"2025-04-06", false, "清明节"},
	{"2025-04-27", true, "劳动节调休上班"},
	{"2025-05-01", false, "劳动节"}, {"2025-05-02", false, "劳动节"}, {"2025-05-03", false, "劳动节"}, {"2025-05-04", false, "劳动节"},
	{"2025-05-05", false, "劳动节"},
	{"2025-05-31", false, "端午节"}, {"2025-06-01", false, "端午节"}, {"2025-06-02", false, "端午节"},
	{"2025-09-28", true, "国庆节调休上班"},
	{"2025-10-01", false, "国庆节、中秋节"}, {"2025-10-02", false, "国庆节、中秋节"}, {"2025-10-03", false, "国庆节、中秋节"},
	{"2025-10-04", false, "国庆节、中秋节"}, {"2025-10-05", false, "国庆节、中秋节"}, {"2025-10-06", false, "国庆节、中秋节"},
	{"2025-10-07", false, "国庆节、中秋节"}, {"2025-10-08", false, "国庆节、中秋节"},
	{"2025-10-11", true, "国庆节调休上班"},
	{"2026-01-01", false, "元旦"}, {"2026-01-02", false, "元旦"}, {"2026-01-03", false, "元旦"},
	{"2026-01-04", true, "元旦调休上班"},
	{"2026-02-14", true, "春节调休上班"},
	{"2026-02-15", false, "春节"}, {"2026-02-16", false, "春节"}, {"2026-02-17", false, "春节"}, {"2026-02-18", false, "春节"},
	{"2026-02-19", false, "春节"}, {"2026-02-20", false, "春节"}, {"2026-02-21", false, "春节"}, {"2026-02-22", false, "春节"},
	{"2026-02-23", false, "春节"},
	{"2026-02-28", true, "春节调休上班"},
	{"2026-04-04", false, "清明节"}, {"2026-04-05", false, "清明节"}, {"2026-04-06", false, "清明节"},
	{"2026-05-01", false, "劳动节"}, {"2026-05-02", false, "劳动节"}, {"2026-05-03", false, "劳动节"}, {"2026-05-04", false, "劳动节"},
	{"2026-05-05", false, "劳动节"},
	{"2026-05-09", true, "劳动节调休上班"},
	{"2026-06-19", false, "端午节"}, {"2026-06-20", false, "端午节"}, {"2026-06-21", false, "端午节"},
	{"2026-09-20", true, "国庆节调休上班"},
	{"2026-09-25", false, "中秋节"}, {"2026-09-26", false, "中秋节"}, {"2026-09-27", false, "中秋节"},
	{"2026-10-01", false, "国庆节"}, {"2026-10-02", false, "国庆节"}, {"2026-10-03", false, "国庆节"}, {"2026-10-04", false, "国庆节"},
	{"2026-10-05", false, "国庆节"}, {"2026-10-06", false, "国庆节"}, {"2026-10-07", false, "国庆节"},
	{"2026-10-10", true, "国庆节调休上班"},
}

// workCalendarDays is workCalendar by day (see dayKey), for workday.
var workCalendarDays = func() map[int]bool {
	m := make(map[int]bool, len(workCalendar))
	for _, d := range workCalendar {
		day, err := time.Parse(time.DateOnly, d.day)
		if err != nil {
			panic(err)
		}
		m[dayKey(day)] = d.workday
	}
	return m
}()

// dayKey is a day's date as the number yyyymmdd.
func dayKey(d time.Time) int { return d.Year()*10000 + int(d.Month())*100 + d.Day() }

// workday tells whether the day d (midnight in shanghai) is a working day: the calendar's
// word, else Monday to Friday, as gridgov_workday.
func workday(d time.Time) bool {
	if w, ok := workCalendarDays[dayKey(d)]; ok {
		return w
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// dueAt is the due time of an issue of category c first dispatched at start, as
// gridgov_due_at gives it: the deadline in calendar days, or at start's time of day (in
// shanghai) on the deadline-th working day after start's day.
func (w *world) dueAt(start time.Time, c issueCategory) time.Time {
	if !c.working {
		return start.AddDate(0, 0, c.deadline)
	}
	local := start.In(shanghai)
	d := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, shanghai)
	for n := 0; n < c.deadline; {
		d = d.AddDate(0, 0, 1)
		if workday(d) {
			n++
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), shanghai).UTC()
}

// issueWarnPercent is every category's warn_at_share, in per cent.
const issueWarnPercent = 80

// warnBefore is how long before its due time an open issue of category c is warned:
// (1 − warn_at_share) × deadline_days calendar days, as the scheduler counts it.
func warnBefore(c issueCategory) time.Duration {
	return time.Duration(c.deadline) * 24 * time.Hour * (100 - issueWarnPercent) / 100
}

// issueExtension is a request for more time on an issue and its decision.
type issueExtension struct {
	requester, decider                                int64
	requesterRole, deciderRole, level, reason, answer string
	before, requested, at, decided                    time.Time
	approved                                          bool
}

// span is a stretch of time an issue is open after its first dispatch; to is zero while it lasts.
type span struct{ from, to time.Time }

// schedulerTick is how soon the scheduler warns an issue that reopens past its warning time.
const schedulerTick = 5 * time.Minute

// deadlineEvents gives the steps of the issue's whole life, at their times, with the deadline
// events around them, all in time order (a step first on a tie). It draws them on the whole
// life, as if time did not stop at --as-of: whoever cuts the life there cuts them too, and
// what is left is consistent. A slow issue (one not resolved by its warning time) is asked
// more time for, now and then, before its due time and a day before its resolution, by its
// handler (a community cadre) or the grid's worker on behalf of a unit, member or partner,
// and the request is decided within a day a level above (mostly approved: the due time moves
// and the warning is cleared); the scheduler warns every issue open at its warning time (or,
// resolved then, once it reopens); cadres urge some slow issues before their resolution; a
// street leader supervises some issues three days overdue, without an extension.
func (w *world) deadlineEvents(r *rowRand, s *issueStory, c issueCategory, cadre, leader int64, steps []lifeStep, out []lived) []lived {
	var dispatched, started, resolved time.Time
	for k := range steps {
		at := s.reported.Add(steps[k].at)
		out = append(out, lived{at: at, step: &steps[k]})
		switch steps[k].action {
		case "dispatch":
			if dispatched.IsZero() {
				dispatched = at
			}
		case "start":
			if resolved.IsZero() {
				started = at
			}
		case "resolve":
			if resolved.IsZero() {
				resolved = at
			}
		}
	}
	s.extension = nil
	if dispatched.IsZero() || resolved.IsZero() {
		return out // never so in a whole life; kept for safety
	}
	due := w.dueAt(dispatched, c)
	warnAt := due.Add(-warnBefore(c))
	slow := resolved.After(warnAt)
	event := func(at time.Time, action string, actor int64, role, note string) *lived {
		out = append(out, lived{at: at, event: issueEvent{action: action, actor: actor, actorRole: role, note: note, at: at}})
		return &out[len(out)-1]
	}

	var approved, newDue time.Time
	if slow && r.chance(0.35) {
		lo := later(started.Add(time.Hour), dispatched.Add(due.Sub(dispatched)/2))
		hi := earlier(due, resolved.Add(-25*time.Hour))
		if hi.After(lo) {
			x := &issueExtension{before: due, at: lo.Add(time.Duration(r.Int64N(int64(hi.Sub(lo))))),
				reason: pick(r, []string{"需协调多个部门，申请延期", "施工材料未到位，申请延期", "需等待天气条件施工，申请延期", "涉及产权人较多，协商需要时间"})}
			x.decided = x.at.Add(time.Duration(r.between(60, 24*60)) * time.Minute)
			days := max(1, int((resolved.Sub(due)+24*time.Hour-1)/(24*time.Hour))) + r.between(0, 3)
			x.requested = due.AddDate(0, 0, days)
			x.approved, x.answer = true, "同意延期"
			if r.chance(0.2) {
				x.approved, x.answer = false, pick(r, []string{"理由不充分，请按原期限办结", "请加强协调，按期办结"})
			}
			g := w.grids[s.at.grid-1]
			if s.handlerKind == "cadre" {
				x.requester, x.requesterRole, x.level = s.handlerPerson, "community_cadre", "community"
				x.decider, x.deciderRole = leader, "street_cadre"
			} else { // the grid's worker asks on behalf of a unit, member or partner
				x.requester, x.requesterRole, x.level = cadre, "grid_worker", "grid"
				cs := w.communities[g.ci].cadres
				x.decider, x.deciderRole = w.cadres[cs[0]].person, "community_cadre"
				if x.decider == cadre {
					x.decider = w.cadres[cs[1]].person
				}
			}
			s.extension = x
			event(x.at, "request_extension", x.requester, x.requesterRole, x.reason)
			if x.approved {
				event(x.decided, "approve_extension", x.decider, x.deciderRole, x.answer)
				approved, newDue = x.decided, x.requested
			} else {
				event(x.decided, "reject_extension", x.decider, x.deciderRole, x.answer)
			}
		}
	}

	// The warnings: the scheduler warns an open issue once its warning time has passed, and
	// again after an approved extension cleared the warning.
	var open []span
	for _, l := range out[:len(steps)] {
		if l.at.Before(dispatched) {
			continue
		}
		lasting := len(open) > 0 && open[len(open)-1].to.IsZero()
		switch {
		case openState(l.step.to) && !lasting:
			open = append(open, span{from: l.at})
		case !openState(l.step.to) && lasting:
			open[len(open)-1].to = l.at
		}
	}
	warn := func(from, until time.Time, due time.Time) {
		if t, ok := firstOpen(open, from, until); ok {
			event(t, "warn", 0, "system", "预警: due "+due.In(shanghai).Format("2006-01-02 15:04"))
		}
	}
	warn(warnAt, approved, due)
	if !approved.IsZero() {
		warn(later(newDue.Add(-warnBefore(c)), approved.Add(schedulerTick)), time.Time{}, newDue)
	}

	if slow && r.chance(0.5) { // urged, between the warning time and the resolution
		for k, n := 0, r.between(1, 3); k < n; k++ {
			at := warnAt.Add(time.Duration(r.Int64N(int64(resolved.Sub(warnAt)))))
			actor, role := cadre, "community_cadre"
			if r.chance(0.4) {
				actor, role = leader, "street_cadre"
			}
			event(at, "urge", actor, role, pick(r, []string{"请加快办理进度", "群众反映强烈，请尽快处理", "已临近办理时限，请抓紧办结"}))
		}
	}
	if approved.IsZero() && resolved.After(due.Add(72*time.Hour)) && r.chance(0.4) { // supervised, long overdue
		at := due.Add(time.Duration(r.between(24*60, 72*60-1)) * time.Minute)
		e := event(at, "supervise", leader, "street_cadre", pick(r, []string{"督办：已超期，请限期办结并反馈", "督办：群众多次反映，请于期限内办结"}))
		e.due = at.AddDate(0, 0, r.between(3, 7))
	}
	slices.SortStableFunc(out, func(a, b lived) int { return a.at.Compare(b.at) })
	return out
}

// firstOpen gives the first time from from on, before until (zero: ever), that the
// scheduler finds the issue open: from itself if it is open then, else a tick after it opens.
func firstOpen(open []span, from, until time.Time) (time.Time, bool) {
	for _, sp := range open {
		if !sp.to.IsZero() && !sp.to.After(from) {
			continue
		}
		t := from
		if sp.from.After(from) {
			if t = sp.from.Add(schedulerTick); !sp.to.IsZero() && !t.Before(sp.to) {
				continue
			}
		}
		if !until.IsZero() && !t.Before(until) {
			return time.Time{}, false
		}
		return t, true
	}
	return time.Time{}, false
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// deadlineJobs write the working calendar and the issues' extensions.
func (w *world) deadlineJobs(story func(r *rowRand, i int) issueStory) []job {
	return []job{
		fixed("work_calendar", len(workCalendar), []string{"id", "day", "workday", "note"}, func(_ *rowRand, i int, row func(...any)) {
			d := workCalendar[i]
			day, err := time.Parse(time.DateOnly, d.day)
			if err != nil {
				panic(err)
			}
			row(int64(i+1), day, d.workday, d.note)
		}),
		{name: "issue_extensions", table: "issue_extensions", entities: w.issueTotal(), columns: []string{"id", "issue_id", "street_id",
			"community_id", "grid_id", "requested_by", "requester_level", "reason", "due_before", "due_requested", "state", "requested_at",
			"decided_by", "decided_at", "decision_note"},
			emit: func(r *rowRand, i int, row func(...any)) {
				s := story(r, i)
				x := s.extension
				if x == nil || !x.at.Before(w.asOf) {
					return
				}
				state, decider, decided, answer := "pending", any(nil), any(nil), ""
				if x.decided.Before(w.asOf) {
					state, decider, decided, answer = "rejected", x.decider, x.decided, x.answer
					if x.approved {
						state = "approved"
					}
				}
				row(s.id, s.id, s.at.street, s.at.community, s.at.grid, x.requester, x.level, x.reason, x.before, x.requested, state,
					x.at, decider, decided, answer)
			}},
	}
}
