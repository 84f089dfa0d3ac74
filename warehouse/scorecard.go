package warehouse

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// The unit scorecard's composite score (逐单位综合评分) is out of 100, written here once and
// used for the live scorecard (Postgres) and the warehouse's alike:
//
//	score = 40 × check-in rate + 30 × min(hours per member ÷ 20, 1) + 30 × share of good grades
//
// The check-in rate is checked-in members over members; hours per member are the service
// hours of the year over members, full marks from 20 hours; the share of good grades is good
// (好) ratings over the year's ratings the unit was told of (notified, acknowledged or under
// appeal). A part without members or ratings scores 0.
const (
	ScoreCheckinWeight = 40.0
	ScoreHoursWeight   = 30.0
	ScoreGoodWeight    = 30.0
	ScoreHoursCap      = 20.0
)

// scoreSQL is the score as a ClickHouse expression over the columns members, checked_in, hours,
// good and rated, for the dictionary's worked example.
var scoreSQL = fmt.Sprintf("round(%g * checked_in / members + %g * least(hours / members / %g, 1) + %g * if(rated = 0, 0, good / rated), 2)",
	ScoreCheckinWeight, ScoreHoursWeight, ScoreHoursCap, ScoreGoodWeight)

// scoreFormula is the score in words, for the dictionary.
var scoreFormula = fmt.Sprintf("%g × check-in rate + %g × min(hours per\nmember ÷ %g, 1) + %g × share of good grades",
	ScoreCheckinWeight, ScoreHoursWeight, ScoreHoursCap, ScoreGoodWeight)

// ScoredRatingStates are the states whose grades the scorecard counts: the unit was told.
var ScoredRatingStates = []string{"notified", "acknowledged", "appealed"}

// UnitScore is one unit's line of the scorecard of a year: its members living in the scope,
// their check-ins, service hours and grades, and the composite score (Complete fills the
// ratios and the score).
type UnitScore struct {
	UnitID         int64
	Members        int64
	CheckedIn      int64
	ServiceHours   float64
	Good           int64
	Fair           int64
	Average        int64
	Poor           int64
	CheckinRate    float64
	HoursPerMember float64
	GoodShare      float64
	Score          float64
}

// Complete computes the ratios and the composite score from the counts.
func (u *UnitScore) Complete() {
	u.ServiceHours = math.Round(u.ServiceHours*100) / 100
	u.CheckinRate, u.HoursPerMember, u.GoodShare = 0, 0, 0
	if u.Members > 0 {
		u.CheckinRate = float64(u.CheckedIn) / float64(u.Members)
		u.HoursPerMember = u.ServiceHours / float64(u.Members)
	}
	if rated := u.Good + u.Fair + u.Average + u.Poor; rated > 0 {
		u.GoodShare = float64(u.Good) / float64(rated)
	}
	score := ScoreCheckinWeight*u.CheckinRate + ScoreHoursWeight*math.Min(u.HoursPerMember/ScoreHoursCap, 1) + ScoreGoodWeight*u.GoodShare
	u.Score = math.Round(score*100) / 100
}

// UnitScorecard computes the scorecard of year for the members living in scope s, one line
// per unit by unit id, from the warehouse's facts (FINAL, is_deleted = 0).
func (r *Reader) UnitScorecard(ctx context.Context, s Scope, year int) ([]*UnitScore, error) {
	cond, args := where(placeCols{"street_id", "community_id", "grid_id"}, s)
	members := "(SELECT id AS member_id, unit_id FROM " + r.t("role_party_member") + " WHERE is_deleted = 0 AND " + cond + ")"
	states := "('" + ScoredRatingStates[0] + "', '" + ScoredRatingStates[1] + "', '" + ScoredRatingStates[2] + "')"
	y := strconv.Itoa(year)
	queries := []struct{ name, sql string }{
		{"scorecard_members", "SELECT unit_id, count(), sum(checked) FROM " + members + " ANY LEFT JOIN (SELECT member_id, toUInt64(1) AS checked FROM " +
			r.t("fact_checkin") + " WHERE is_deleted = 0 AND state = 'verified' GROUP BY member_id) USING member_id GROUP BY unit_id"},
		{"scorecard_hours", "SELECT unit_id, toString(sum(hours)) FROM " + members + " ALL INNER JOIN (SELECT member_id, hours FROM " +
			r.t("fact_service_record") + " WHERE is_deleted = 0 AND toYear(served_on) = " + y + ") USING member_id GROUP BY unit_id"},
		{"scorecard_grades", "SELECT unit_id, countIf(grade = 'good'), countIf(grade = 'fair'), countIf(grade = 'average'), countIf(grade = 'poor') FROM " +
			members + " ALL INNER JOIN (SELECT member_id, grade FROM " + r.t("fact_year_rating") + " WHERE is_deleted = 0 AND year = " + y +
			" AND state IN " + states + ") USING member_id GROUP BY unit_id"},
	}
	lines := map[int64]*UnitScore{}
	line := func(id string) *UnitScore {
		u := lines[atoi(id)]
		if u == nil {
			u = &UnitScore{UnitID: atoi(id)}
			lines[u.UnitID] = u
		}
		return u
	}
	for i, q := range queries {
		rows, err := r.query(ctx, q.name, q.sql, args...)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			u := line(row[0])
			switch i {
			case 0:
				u.Members, u.CheckedIn = atoi(row[1]), atoi(row[2])
			case 1:
				u.ServiceHours = atof(row[1])
			case 2:
				u.Good, u.Fair, u.Average, u.Poor = atoi(row[1]), atoi(row[2]), atoi(row[3]), atoi(row[4])
			}
		}
	}
	out := make([]*UnitScore, 0, len(lines))
	for _, u := range lines {
		u.Complete()
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UnitID < out[j].UnitID })
	return out, nil
}
