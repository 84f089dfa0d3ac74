package seed

import (
	"time"
)

var serviceCategories = [][3]string{
	{"love_claim", "Love claim", "爱心认领"}, {"voluntary_labour", "Voluntary labour", "义务劳动"},
	{"information_consulting", "Information consulting", "信息咨询"}, {"dispute_mediation", "Dispute mediation", "矛盾调处"},
	{"elderly_care", "Elderly care", "关爱老人"}, {"child_tutoring", "Child tutoring", "课业辅导"},
	{"legal_aid", "Legal aid", "法律援助"}, {"health_care", "Health care", "健康义诊"},
	{"appliance_repair", "Appliance repair", "家电维修"}, {"environment_cleanup", "Environment clean-up", "环境整治"},
	{"civilised_persuasion", "Civilised persuasion", "文明劝导"}, {"psychological_support", "Psychological support", "心理疏导"},
	{"errand_service", "Errand service", "代办跑腿"},
}

// orderStory is one service order with its claim, completion and rating.
type orderStory struct {
	id                                           int64
	cat                                          int
	at                                           home
	resident, publisher                          int64
	member                                       int // member index, -1 before a claim
	state                                        string
	posted, published, claimed, completed, rated time.Time
	hours                                        float64
	rating                                       int
}

func (w *world) orderTotal() int { return w.n.ordersSolved + w.n.ordersOpen }

func (w *world) orderStory(r *rowRand, i int) orderStory {
	r.at("order", i)
	mi := w.verifiedMember(r.IntN(w.n.verified)) // orders come from the claiming member's building
	b := w.memberBuilding(mi)
	g := w.grids[w.buildings[b].gi]
	s := orderStory{id: int64(i + 1), cat: r.IntN(len(serviceCategories)), at: w.buildingHome(b), member: -1,
		resident:  w.people.residents + int64(w.residentIn(r, b)) + 1,
		publisher: w.cadres[pick(r, w.communities[g.ci].cadres)].person}
	solved := i < w.n.ordersSolved
	if solved {
		s.posted = w.start.Add(time.Duration(r.Int64N(int64(w.asOf.AddDate(0, 0, -20).Sub(w.start)))))
	} else {
		s.posted = w.asOf.Add(-time.Duration(r.Int64N(int64(14 * 24 * time.Hour)))).Add(-24 * time.Hour)
	}
	s.state = "posted"
	after := func(t time.Time, minH, maxH int) time.Time {
		return t.Add(time.Duration(r.between(minH*60, maxH*60)) * time.Minute)
	}
	final := "rated"
	if !solved {
		final = pick(r, []string{"posted", "published", "claimed", "cancelled"})
	} else if r.chance(0.4) {
		final = "completed"
	}
	if final == "posted" || final == "cancelled" {
		s.state = final
		return s
	}
	s.published, s.state = after(s.posted, 1, 24), "published"
	if final == "published" {
		return s
	}
	s.claimed, s.member, s.state = after(s.published, 1, 24), mi, "claimed"
	if final == "claimed" {
		return s
	}
	s.completed, s.state, s.hours = after(s.claimed, 24, 120), "completed", float64(r.between(2, 8))/2
	if final == "completed" {
		return s
	}
	s.rated, s.state, s.rating = after(s.completed, 1, 72), "rated", pick(r, []int{3, 4, 4, 5, 5, 5, 5})
	return s
}

func orNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func (w *world) serviceJobs() []job {
	ledgerIDs := int64(w.n.verified) * ledgerSlots
	return []job{
		fixed("service_categories", len(serviceCategories), []string{"id", "code", "name", "name_zh"}, func(_ *rowRand, i int, row func(...any)) {
			c := serviceCategories[i]
			row(int64(i+1), c[0], c[1], c[2])
		}),
		{name: "service_orders", table: "service_orders", entities: w.orderTotal(), columns: []string{"id", "street_id", "community_id", "grid_id",
			"building_id", "category_id", "resident_id", "title", "description", "state", "posted_at", "published_at", "published_by", "claimed_by",
			"claimed_at", "completed_at", "hours", "result", "rating", "rated_at"},
			emit: func(r *rowRand, i int, row func(...any)) {
				s := w.orderStory(r, i)
				c := serviceCategories[s.cat]
				var publisher, claimer, hours, result, rating any
				if !s.published.IsZero() {
					publisher = s.publisher
				}
				if s.member >= 0 {
					claimer = int64(s.member + 1)
				}
				if s.hours > 0 {
					hours, result = s.hours, "已完成："+c[2]
				}
				if s.rating > 0 {
					rating = s.rating
				}
				row(s.id, s.at.street, s.at.community, s.at.grid, s.at.building, int64(s.cat+1), s.resident, "需要"+c[2]+"服务",
					"居民点单："+c[2], s.state, s.posted, orNil(s.published), publisher, claimer, orNil(s.claimed), orNil(s.completed),
					hours, result, rating, orNil(s.rated))
			}},
		{name: "order_events", table: "order_events", entities: w.orderTotal(), columns: []string{"id", "order_id", "street_id", "community_id",
			"grid_id", "actor_id", "actor_role", "action", "from_state", "to_state", "note", "at"},
			emit: func(r *rowRand, i int, row func(...any)) {
				s := w.orderStory(r, i)
				ev := func(k int, actor int64, role, action string, from any, to string, at time.Time) {
					row(s.id*8+int64(k), s.id, s.at.street, s.at.community, s.at.grid, actor, role, action, from, to, "", at)
				}
				ev(0, s.resident, "resident", "post", nil, "posted", s.posted)
				if s.state == "cancelled" {
					ev(1, s.resident, "resident", "cancel", "posted", "cancelled", s.posted.Add(time.Hour))
				}
				if !s.published.IsZero() {
					ev(1, s.publisher, "grid_worker", "publish", "posted", "published", s.published)
				}
				if !s.claimed.IsZero() {
					ev(2, w.memberPerson(s.member), "party_member", "claim", "published", "claimed", s.claimed)
				}
				if !s.completed.IsZero() {
					ev(3, w.memberPerson(s.member), "party_member", "complete", "claimed", "completed", s.completed)
				}
				if !s.rated.IsZero() {
					ev(4, s.resident, "resident", "rate", "completed", "rated", s.rated)
				}
			}},
		w.ledgerJob(),
		{name: "service_records:orders", table: "service_records", entities: w.orderTotal(), columns: []string{"id", "member_id", "street_id",
			"community_id", "grid_id", "order_id", "served_on", "hours", "content"},
			emit: func(r *rowRand, i int, row func(...any)) {
				s := w.orderStory(r, i)
				if s.completed.IsZero() {
					return
				}
				row(ledgerIDs+s.id, int64(s.member+1), s.at.street, s.at.community, s.at.grid, s.id, day(s.completed), s.hours,
					"接单服务："+serviceCategories[s.cat][2])
			}},
		w.ratingJob(),
	}
}

// ledgerSlots is the room each verified member has in the ids of service_records for their
// own records: at most twelve.
const ledgerSlots = 16

// ledgerRecord is one of a member's own service records.
type ledgerRecord struct {
	id, member, person int64
	at                 home
	served             time.Time
	hours              float64
	content            string
}

var ledgerContents = []string{"参与网格环境整治", "入户走访困难群众", "开展政策宣传", "参与文明劝导", "协助疫情防控值守", "关爱留守儿童", "为老人义务理发"}

// ledgerRecords draws verified member v's own service records, two to twelve over the period,
// from r positioned on the member, into out.
func (w *world) ledgerRecords(r *rowRand, v int, out []ledgerRecord) []ledgerRecord {
	m := w.member(w.verifiedMember(v))
	h := w.buildingHome(m.building)
	span := int64(w.asOf.Sub(m.at))
	for k, n := 0, r.between(2, 12); k < n && span > 0; k++ {
		out = append(out, ledgerRecord{id: int64(v)*ledgerSlots + int64(k) + 1, member: m.id, person: m.person, at: h,
			served: day(m.at.Add(time.Duration(r.Int64N(span)))), hours: float64(r.between(2, 8)) / 2, content: pick(r, ledgerContents)})
	}
	return out
}

// ledgerJob writes each verified member's own service records.
func (w *world) ledgerJob() job {
	return job{name: "service_records:ledger", table: "service_records", entities: w.n.verified,
		columns: []string{"id", "member_id", "street_id", "community_id", "grid_id", "order_id", "served_on", "hours", "content"},
		emit: func(r *rowRand, v int, row func(...any)) {
			var records [ledgerSlots]ledgerRecord
			for _, rec := range w.ledgerRecords(r, v, records[:0]) {
				row(rec.id, rec.member, rec.at.street, rec.at.community, rec.at.grid, nil, rec.served, rec.hours, rec.content)
			}
		}}
}

// ratingJob rates every verified member for each finished year they were checked in for.
func (w *world) ratingJob() job {
	grades := []string{"good", "good", "good", "good", "good", "fair", "fair", "fair", "average", "poor"}
	return job{name: "year_ratings", table: "year_ratings", entities: w.n.verified,
		columns: []string{"id", "member_id", "street_id", "community_id", "year", "grade", "rated_by", "rated_at", "state",
			"appeal_reason", "appealed_at", "notified_at"},
		emit: func(r *rowRand, v int, row func(...any)) {
			m := w.member(w.verifiedMember(v))
			h := w.buildingHome(m.building)
			c := w.communities[h.community-1]
			for k, y := range []int{w.asOf.Year() - 2, w.asOf.Year() - 1} {
				if !m.at.Before(time.Date(y, 12, 1, 0, 0, 0, 0, time.UTC)) {
					continue
				}
				at := time.Date(y, 12, r.between(20, 31), 10, 0, 0, 0, time.UTC)
				state, reason, appealed := ratingStage(v, y == w.asOf.Year()-1, at)
				row(int64(v)*2+int64(k)+1, m.id, h.street, h.community, y, pick(r, grades), w.cadres[c.cadres[0]].id, at, state,
					reason, appealed, at.Add(24*time.Hour))
			}
		}}
}

// ratingStage places a rating in the year-end cycle without drawing from the rows' random
// stream (the published figures stay as they are): older years are all acknowledged by the
// units; of last year's, one in 20 is still waiting for its unit's acknowledgement and one in
// 50 is under appeal.
func ratingStage(v int, lastYear bool, at time.Time) (state string, reason *string, appealed *time.Time) {
	switch {
	case lastYear && v%50 == 7:
		why, when := "服务时长记录不全, 申请复核", at.AddDate(0, 0, 10)
		return "appealed", &why, &when
	case lastYear && v%20 == 3:
		return "notified", nil, nil
	}
	return "acknowledged", nil, nil
}
