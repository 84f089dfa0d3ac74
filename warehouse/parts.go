package warehouse

import (
	"sort"
	"strings"
)

// The parts of the indicators (see part and compute.batches): each aggregates one summary or
// dimension (joined at most with a small dimension), applies the scope in its WHERE clause, and
// fills in its section from its rows (with compute.mu held).

// selectPart is the part tag: SELECT exprs (see cols) FROM from, bound to args.
func selectPart(tag string, exprs []string, from string, args []any, read func(rows [][]string)) part {
	return part{tag: tag, sql: "SELECT " + cols(tag, exprs...) + " FROM " + from, args: args, read: read}
}

// scalar reads the one value of a part into dst.
func scalar(dst *int64) func(rows [][]string) {
	return func(rows [][]string) {
		if len(rows) == 1 {
			*dst = atoi(rows[0][0])
		}
	}
}

// childOf is the expression c grouping a table's rows by the place one level down.
func (c *compute) childOf(cols placeCols) string { return childExpr(cols, c.s) + " AS c" }

// during keeps the days of column col in span sp, appending its arguments to args.
func during(col string, sp Span, args *[]any) string {
	*args = append(*args, Day{sp.From}, Day{sp.To})
	return col + " BETWEEN ? AND ?"
}

// flows is the rows of summary table in scope on the days of sp in its column day.
func (c *compute) flows(table, day string, sp Span, args *[]any) string {
	return c.r.sum(table) + " WHERE " + c.scoped(factCols, args) + " AND " + during(day, sp, args)
}

// children lists the places one level down, with their names, in name order.
func (c *compute) children() part {
	var table, cond string
	var args []any
	switch c.s.Level {
	case LevelCity:
		table, cond = "dim_street", "1"
	case LevelStreet:
		table, cond, args = "dim_community", "street_id = ?", []any{c.s.ID}
	case LevelCommunity:
		table, cond, args = "dim_grid", "community_id = ?", []any{c.s.ID}
	default:
		return part{}
	}
	return selectPart("children", []string{"id", "name"}, c.r.t(table)+" WHERE is_deleted = 0 AND "+cond, args, func(rows [][]string) {
		for _, row := range rows {
			c.names = append(c.names, childName{uatoi(row[0]), row[1]})
		}
		sort.Slice(c.names, func(i, j int) bool {
			a, b := c.names[i], c.names[j]
			return a.name < b.name || (a.name == b.name && a.id < b.id)
		})
	})
}

// units reads the names of the employer units.
func (c *compute) units() part {
	return selectPart("units", []string{"id", "name"}, c.r.t("dim_unit")+" WHERE is_deleted = 0", nil, func(rows [][]string) {
		c.unitName = make(map[int64]string, len(rows))
		for _, row := range rows {
			c.unitName[atoi(row[0])] = row[1]
		}
	})
}

// categories reads the issue categories.
func (c *compute) categories() part {
	exprs := []string{"id", "code", "name", "name_zh", "category_group", "ifNull(quantity_unit, '')"}
	return selectPart("categories", exprs, c.r.t("dim_issue_category")+" WHERE is_deleted = 0", nil, func(rows [][]string) {
		c.category = make(map[int64]IssueCategory, len(rows))
		for _, k := range rows {
			c.category[atoi(k[0])] = IssueCategory{Category: k[1], Name: k[2], NameZh: k[3], Group: k[4], QuantityUnit: k[5]}
		}
	})
}

// byChild sums column col of a summary by child place into the breakdown value field gives.
func (c *compute) byChild(tag, table, col string, field func(v *BreakdownValues) *int64) part {
	var args []any
	from := c.r.sum(table) + " WHERE " + c.scoped(factCols, &args) + " GROUP BY c"
	return selectPart(tag, []string{c.childOf(factCols), "sum(" + col + ")"}, from, args, func(rows [][]string) {
		for _, row := range rows {
			*field(c.values(uatoi(row[0]))) += atoi(row[1])
		}
	})
}

// membersByChild counts the party members expected to check in, by child place (the check-in
// rate's denominator, from its metric view).
func (c *compute) membersByChild() part {
	return c.byChild("members", "metric_checkin", "expected", func(v *BreakdownValues) *int64 { return &v.Checkins.Expected })
}

// checkinsByUnit counts, per unit, the members expected and those of them with a verified
// check-in (by the members' own place).
func (c *compute) checkinsByUnit() part {
	var args []any
	from := c.r.sum("sum_member") + " WHERE " + c.scoped(factCols, &args) + " GROUP BY unit_id"
	return selectPart("unit_checkins", []string{"unit_id", "sum(members)", "sum(checked_in)"}, from, args, func(rows [][]string) {
		out := make([]UnitCheckins, 0, len(rows))
		for _, row := range rows {
			out = append(out, UnitCheckins{Unit: Unit{RowID: atoi(row[0])}, Expected: atoi(row[1]), CheckedIn: atoi(row[2])})
		}
		c.out.Checkins.ByUnit = out
	})
}

// checkinsByChild counts the verified, withdrawn, transferred and re-verification-due
// check-ins by the place of the check-in (the check-in rate's numerator and the moves, from its
// metric view).
func (c *compute) checkinsByChild() part {
	var args []any
	from := c.r.sum("metric_checkin") + " WHERE " + c.scoped(factCols, &args) + " GROUP BY c"
	exprs := []string{c.childOf(factCols), "sum(checked_in)", "sum(withdrawn)", "sum(transferred)", "sum(reverification_due)"}
	return selectPart("checkins", exprs, from, args, func(rows [][]string) {
		for _, row := range rows {
			v := c.values(uatoi(row[0]))
			v.Checkins.CheckedIn += atoi(row[1])
			v.Checkins.Withdrawn += atoi(row[2])
			v.Checkins.Transferred += atoi(row[3])
			v.Checkins.ReverificationDue += atoi(row[4])
		}
	})
}

// volunteers counts the volunteers and volunteer police by child place and team type, from
// their metric view (team type "none": in no team).
func (c *compute) volunteers() part {
	var args []any
	from := c.r.sum("metric_volunteer") + " WHERE " + c.scoped(factCols, &args) + " GROUP BY c, team_type"
	exprs := []string{c.childOf(factCols), "team_type", "sum(volunteers)", "sum(police)"}
	return selectPart("volunteers", exprs, from, args, func(rows [][]string) {
		for _, row := range rows {
			v := c.values(uatoi(row[0]))
			v.Volunteers.Registered += atoi(row[2])
			v.Volunteers.Police += atoi(row[3])
			c.teamType(row[1]).Volunteers += atoi(row[2])
			c.teamType(row[1]).Police += atoi(row[3])
		}
	})
}

// teamType finds or adds a team type's entry; callers hold mu.
func (c *compute) teamType(typ string) *TeamType {
	v := &c.out.Volunteers
	for i := range v.Teams {
		if v.Teams[i].TeamType == typ {
			return &v.Teams[i]
		}
	}
	v.Teams = append(v.Teams, TeamType{TeamType: typ})
	sort.Slice(v.Teams, func(i, j int) bool { return v.Teams[i].TeamType < v.Teams[j].TeamType })
	for i := range v.Teams {
		if v.Teams[i].TeamType == typ {
			return &v.Teams[i]
		}
	}
	return nil
}

// teams counts the live teams by type: every team at city scope, below it the teams with a
// volunteer in the scope.
func (c *compute) teams() part {
	var args []any
	cond := "1"
	if c.s.Level != LevelCity {
		cond = "id IN (SELECT team_id FROM " + c.r.sum("sum_volunteer") + " WHERE team_id != 0 AND " + c.scoped(factCols, &args) + ")"
	}
	from := c.r.t("dim_volunteer_team") + " WHERE is_deleted = 0 AND " + cond + " GROUP BY team_type"
	return selectPart("teams", []string{"team_type", "count()"}, from, args, func(rows [][]string) {
		for _, row := range rows {
			c.teamType(row[0]).Teams += atoi(row[1])
			c.out.Volunteers.TeamCount += atoi(row[1])
		}
	})
}

// Issue states that count as resolved.
const resolvedStates = "('resolved', 'closed')"

// policeDuties are the activity kinds of volunteer-police duties (义警).
const policeDuties = "('police_patrol', 'police_traffic')"

// autoEscalation keeps the issue events of an automatic escalation (超期自动上报): the
// scheduler's, with no actor.
const autoEscalation = "action = 'escalate' AND actor_role = 'system'"

// reopening keeps the issue events that sent a resolved or closed issue back to work (重办): an
// unsatisfied verdict (it reopens the issue, or sends it to the street) or a reopening after a
// failed verification.
const reopening = "(action = 'reopen' OR ifNull(verdict, '') = 'unsatisfied')"

// trend sums two columns of a summary, done of n (issues resolved of reported, orders completed
// of posted), month by month over the trend into the points add gives.
func (c *compute) trend(tag, table, day, n, done string, add func(t *TrendPoint, n, done int64)) part {
	var args []any
	from := c.flows(table, day, trendRange(c.p), &args) + " GROUP BY m"
	return selectPart(tag, []string{"toYYYYMM(" + day + ") AS m", "sum(" + n + ")", "sum(" + done + ")"}, from, args, func(rows [][]string) {
		for _, row := range rows {
			if t := c.trendPoint(row[0]); t != nil {
				add(t, atoi(row[1]), atoi(row[2]))
			}
		}
	})
}

// issueTrend counts the issues reported, and of them resolved, urged, supervised, extended and
// escalated automatically, month by month.
func (c *compute) issueTrend() part {
	var args []any
	from := c.flows("sum_issue_day", "reported_on", trendRange(c.p), &args) + " GROUP BY m"
	exprs := []string{"toYYYYMM(reported_on) AS m", "sum(reported)", "sum(resolved)", "sum(urged)", "sum(supervised)", "sum(extended)", "sum(auto_escalated)"}
	return selectPart("issue_trend", exprs, from, args, func(rows [][]string) {
		for _, row := range rows {
			if t := c.trendPoint(row[0]); t != nil {
				t.IssuesReported += atoi(row[1])
				t.IssuesResolved += atoi(row[2])
				t.IssuesUrged += atoi(row[3])
				t.IssuesSupervised += atoi(row[4])
				t.IssuesExtended += atoi(row[5])
				t.IssuesAutoEscalated += atoi(row[6])
			}
		}
	})
}

// onTimeTrend counts the issues with a due time resolved on time, and late, month by month of
// their resolution.
func (c *compute) onTimeTrend() part {
	return c.trend("on_time_trend", "metric_on_time", "resolved_on", "on_time", "late", func(t *TrendPoint, onTime, late int64) {
		t.IssuesResolvedOnTime += onTime
		t.IssuesResolvedLate += late
	})
}

// issuesByChild counts the issues reported in the period by child place.
func (c *compute) issuesByChild() part {
	var args []any
	from := c.flows("sum_issue_day", "reported_on", c.p, &args) + " GROUP BY c"
	exprs := []string{c.childOf(factCols), "sum(reported)", "sum(resolved)", "sum(closed)", "sum(urged)", "sum(supervised)", "sum(extended)",
		"sum(auto_escalated)"}
	return selectPart("issues", exprs, from, args, func(rows [][]string) {
		for _, row := range rows {
			v := c.values(uatoi(row[0]))
			v.Issues.Reported += atoi(row[1])
			v.Issues.Resolved += atoi(row[2])
			v.Issues.Closed += atoi(row[3])
			v.Issues.Urged += atoi(row[4])
			v.Issues.Supervised += atoi(row[5])
			v.Issues.Extended += atoi(row[6])
			v.Issues.AutoEscalated += atoi(row[7])
		}
	})
}

// onTime counts the issues with a due time resolved in the period on time, and late, by child
// place (finish totals them and gives the rate).
func (c *compute) onTime() part {
	var args []any
	from := c.flows("metric_on_time", "resolved_on", c.p, &args) + " GROUP BY c"
	return selectPart("on_time", []string{c.childOf(factCols), "sum(on_time)", "sum(late)"}, from, args, func(rows [][]string) {
		for _, row := range rows {
			v := c.values(uatoi(row[0]))
			v.Issues.ResolvedOnTime += atoi(row[1])
			v.Issues.ResolvedLate += atoi(row[2])
		}
	})
}

// verdicts counts the residents' verdicts (满意度回访) given in the period by value and child
// place; the channels and the scores are totalled here, for the period's figures only.
func (c *compute) verdicts() part {
	var args []any
	from := c.flows("sum_issue_verdict_day", "verdict_on", c.p, &args) + " GROUP BY c"
	exprs := []string{c.childOf(factCols), "sum(satisfied)", "sum(unsatisfied)", "sum(no_response)", "sum(by_resident)", "sum(by_phone)",
		"sum(scored)", "sum(score_sum)"}
	return selectPart("verdicts", exprs, from, args, func(rows [][]string) {
		for _, row := range rows {
			v := c.values(uatoi(row[0]))
			v.Issues.VerdictsSatisfied += atoi(row[1])
			v.Issues.VerdictsUnsatisfied += atoi(row[2])
			v.Issues.VerdictsNoResponse += atoi(row[3])
			c.out.Issues.VerdictsByResident += atoi(row[4])
			c.out.Issues.VerdictsByPhone += atoi(row[5])
			c.scored += atoi(row[6])
			c.scoreSum += atoi(row[7])
		}
	})
}

// verdictTrend counts the verdicts by value, month by month of their giving.
func (c *compute) verdictTrend() part {
	var args []any
	from := c.flows("sum_issue_verdict_day", "verdict_on", trendRange(c.p), &args) + " GROUP BY m"
	exprs := []string{"toYYYYMM(verdict_on) AS m", "sum(satisfied)", "sum(unsatisfied)", "sum(no_response)"}
	return selectPart("verdict_trend", exprs, from, args, func(rows [][]string) {
		for _, row := range rows {
			if t := c.trendPoint(row[0]); t != nil {
				t.VerdictsSatisfied += atoi(row[1])
				t.VerdictsUnsatisfied += atoi(row[2])
				t.VerdictsNoResponse += atoi(row[3])
			}
		}
	})
}

// rework counts the issues resolved in the period (by their latest resolution), and of them
// those reopened before it and their reopenings, by child place.
func (c *compute) rework() part {
	var args []any
	from := c.flows("sum_issue_rework_day", "resolved_on", c.p, &args) + " GROUP BY c"
	return selectPart("rework", []string{c.childOf(factCols), "sum(resolved)", "sum(reopened)", "sum(reopens)"}, from, args, func(rows [][]string) {
		for _, row := range rows {
			v := c.values(uatoi(row[0]))
			v.Issues.ResolvedInPeriod += atoi(row[1])
			v.Issues.Reopened += atoi(row[2])
			v.Issues.Reopens += atoi(row[3])
		}
	})
}

// reworkTrend counts the issues resolved, and of them reopened before, month by month of their
// latest resolution.
func (c *compute) reworkTrend() part {
	return c.trend("rework_trend", "sum_issue_rework_day", "resolved_on", "resolved", "reopened", func(t *TrendPoint, resolved, reopened int64) {
		t.IssuesResolvedInPeriod += resolved
		t.IssuesReopened += reopened
	})
}

// issuesByCategory counts the issues reported in the period by category, with the resolved
// quantities and the disputes (finish totals them).
func (c *compute) issuesByCategory() part {
	var args []any
	from := c.flows("metric_issue_resolved", "reported_on", c.p, &args) + " GROUP BY category_id"
	exprs := []string{"category_id", "sum(reported)", "sum(resolved)", "sum(closed)", "sum(resolved_quantity)", "sum(disputes)",
		"sum(disputes_mediated)", "sum(disputes_mediated_by_cadres)"}
	return selectPart("issue_categories", exprs, from, args, func(rows [][]string) {
		for _, row := range rows {
			c.issueRow = append(c.issueRow, issueRow{category: atoi(row[0]), reported: atoi(row[1]), resolved: atoi(row[2]), closed: atoi(row[3]),
				quantity: atof(row[4]), disp: atoi(row[5]), med: atoi(row[6]), medByCadres: atoi(row[7])})
		}
	})
}

// overdue counts the issues of the period neither resolved nor closed and past their deadline
// at asOf, and those warned (预警) and not yet past it: due soon.
func (c *compute) overdue() part {
	args := []any{c.asOf, c.asOf}
	exprs := []string{c.childOf(factCols), "countIf(assumeNotNull(open_due_at) < ?)", "countIf(open_warned = 1 AND assumeNotNull(open_due_at) >= ?)"}
	from := c.flows("sum_issue_item", "reported_on", c.p, &args) + " AND open_due_at IS NOT NULL GROUP BY c"
	return selectPart("overdue", exprs, from, args, func(rows [][]string) {
		for _, row := range rows {
			overdue, soon := atoi(row[1]), atoi(row[2])
			v := c.values(uatoi(row[0]))
			v.Issues.Overdue += overdue
			v.Issues.DueSoon += soon
			c.out.Issues.Overdue += overdue
			c.out.Issues.DueSoon += soon
		}
	})
}

// percentiles are SQL expressions giving the count, then the values at rank ⌈p·n⌉ of the
// sorted array s for each p (percentile_disc). Written with arraySort and indexing rather than
// a quantile function because quantile semantics differ between ClickHouse releases.
func percentiles(ps ...string) []string {
	out := []string{"length(s)"}
	for _, p := range ps {
		out = append(out, "s[toUInt64(greatest(ceil(length(s) * "+p+"), 1))]")
	}
	return out
}

// issueTimes finds the median and 90th percentile of hours to close of the period's issues.
func (c *compute) issueTimes() part {
	var args []any
	from := "(SELECT arraySort(groupArray(assumeNotNull(hours_to_close))) AS s FROM " + c.flows("sum_issue_item", "reported_on", c.p, &args) +
		" AND hours_to_close IS NOT NULL)"
	return selectPart("issue_times", percentiles("0.5", "0.9"), from, args, func(rows [][]string) {
		if len(rows) == 1 && atoi(rows[0][0]) > 0 {
			med, p90 := atof(rows[0][1]), atof(rows[0][2])
			c.out.Issues.MedianHoursToClose, c.out.Issues.P90HoursToClose = &med, &p90
		}
	})
}

// orderTrend counts the orders posted, and of them completed, month by month.
func (c *compute) orderTrend() part {
	return c.trend("order_trend", "sum_order_day", "posted_on", "posted", "completed", func(t *TrendPoint, n, done int64) {
		t.OrdersPosted += n
		t.OrdersCompleted += done
	})
}

// ordersByChild counts the orders posted in the period by child place, and their ratings.
func (c *compute) ordersByChild() part {
	var args []any
	from := c.flows("sum_order_day", "posted_on", c.p, &args) + " GROUP BY c"
	exprs := []string{c.childOf(factCols), "sum(posted)", "sum(claimed)", "sum(completed)", "sum(rated)", "sum(rating_sum)",
		"sum(declined)", "sum(released)", "sum(late)"}
	return selectPart("orders", exprs, from, args, func(rows [][]string) {
		var rated, sum int64
		for _, row := range rows {
			v := c.values(uatoi(row[0]))
			v.Orders.Posted += atoi(row[1])
			v.Orders.Claimed += atoi(row[2])
			v.Orders.Completed += atoi(row[3])
			v.Orders.Declined += atoi(row[6])
			v.Orders.Released += atoi(row[7])
			v.Orders.Late += atoi(row[8])
			rated += atoi(row[4])
			sum += atoi(row[5])
		}
		c.out.Orders.Rated = rated
		if rated > 0 {
			avg := float64(sum) / float64(rated)
			c.out.Orders.AverageRating = &avg
		}
	})
}

// orderTimes finds the median hours to claim of the period's claimed orders.
func (c *compute) orderTimes() part {
	var args []any
	from := "(SELECT arraySort(groupArray(hours_to_claim)) AS s FROM " + c.flows("sum_order_claim", "posted_on", c.p, &args) + ")"
	return selectPart("order_times", percentiles("0.5"), from, args, func(rows [][]string) {
		if len(rows) == 1 && atoi(rows[0][0]) > 0 {
			med := atof(rows[0][1])
			c.out.Orders.MedianHoursToClaim = &med
		}
	})
}

// serviceHours sums the service ledger by quarter.
func (c *compute) serviceHours() part {
	var args []any
	from := c.flows("sum_service_day", "served_on", c.p, &args) + " GROUP BY y, q"
	exprs := []string{"toYear(served_on) AS y", "toQuarter(served_on) AS q", "sum(records)", "sum(hours)"}
	return selectPart("service_hours", exprs, from, args, func(rows [][]string) {
		out := make([]QuarterHours, 0, len(rows))
		for _, row := range rows {
			out = append(out, QuarterHours{Year: int(atoi(row[0])), Quarter: int(atoi(row[1])), Records: atoi(row[2]), Hours: atof(row[3])})
		}
		sort.Slice(out, func(i, j int) bool {
			return out[i].Year < out[j].Year || (out[i].Year == out[j].Year && out[i].Quarter < out[j].Quarter)
		})
		c.out.Orders.ServiceHours = out
	})
}

// ratings counts the year-end ratings of the years the period touches by grade, in all and by
// unit; none at grid scope (they are given per community).
func (c *compute) ratings() part {
	if c.s.Level == LevelGrid {
		return part{}
	}
	var args []any
	from := c.r.sum("sum_rating") + " WHERE " + c.scoped(communityCols, &args) + " AND year BETWEEN ? AND ? GROUP BY unit_id"
	args = append(args, c.p.From.Year(), c.p.To.Year())
	exprs := []string{"unit_id"}
	for _, g := range []string{"good", "fair", "average", "poor"} {
		exprs = append(exprs, "sumIf(ratings, grade = '"+g+"')")
	}
	return selectPart("ratings", exprs, from, args, func(rows [][]string) {
		total := &RatingCounts{}
		out := make([]UnitRatings, 0, len(rows))
		for _, row := range rows {
			rc := RatingCounts{Good: atoi(row[1]), Fair: atoi(row[2]), Average: atoi(row[3]), Poor: atoi(row[4])}
			total.Good, total.Fair, total.Average, total.Poor = total.Good+rc.Good, total.Fair+rc.Fair, total.Average+rc.Average, total.Poor+rc.Poor
			out = append(out, UnitRatings{Unit: Unit{RowID: atoi(row[0])}, Ratings: rc})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Unit.RowID < out[j].Unit.RowID })
		c.out.Orders.Ratings, c.out.Orders.RatingsByUnit = total, out
	})
}

// ratingStages counts the ratings of the years the period touches by stage of the workflow.
func (c *compute) ratingStages() part {
	if c.s.Level == LevelGrid {
		return part{}
	}
	var args []any
	from := c.r.sum("sum_rating_stage") + " WHERE " + c.scoped(communityCols, &args) + " AND year BETWEEN ? AND ?"
	args = append(args, c.p.From.Year(), c.p.To.Year())
	stages := []string{"draft", "submitted", "approved", "notified", "acknowledged", "appealed"}
	exprs := make([]string, len(stages))
	for i, st := range stages {
		exprs[i] = "sumIf(ratings, state = '" + st + "')"
	}
	return selectPart("rating_stages", exprs, from, args, func(rows [][]string) {
		if len(rows) != 1 {
			return
		}
		st := &RatingStages{}
		for i, f := range []*int64{&st.Draft, &st.Submitted, &st.Approved, &st.Notified, &st.Acknowledged, &st.Appealed} {
			*f = atoi(rows[0][i])
		}
		c.out.Orders.RatingStages = st
	})
}

// standing counts the distinct items of every measure of sum_standing in the scope: the
// coverage of grids and buildings, and the standing organisation.
func (c *compute) standing() part {
	var args []any
	from := c.r.sum("sum_standing") + " WHERE " + c.scoped(factCols, &args) + " GROUP BY measure"
	return selectPart("standing", []string{"measure", "uniqExact(item)"}, from, args, func(rows [][]string) {
		o, cv := &c.out.Organisation, &c.out.Coverage
		fields := map[string]*int64{
			"grids_with_cadre": &cv.GridsWithCadre, "grids_with_instructor": &cv.GridsWithInstructor, "buildings_with_leader": &cv.BuildingsWithLeader,
			"grids_with_leader": &cv.GridsWithLeader, "grid_worker_posts": &cv.GridWorkerPosts,
			"communities": &o.Communities, "communities_with_party_org": &o.CommunitiesWithPartyOrg, "grid_instructors": &o.GridInstructors,
			"liaison_cadres": &o.LiaisonCadres, "building_leaders": &o.BuildingLeaders, "owner_representatives": &o.OwnerRepresentatives,
			"market_managed_compounds": &o.MarketManagedCompounds, "red_stewards": &o.RedStewards, "governance_instructors": &o.GovernanceInstructors,
			"paired_civilised_units": &o.PairedCivilisedUnits, "social_org_party_orgs": &o.SocialOrgPartyOrgs, "venture_projects": &o.VentureProjects,
		}
		o.Partners = []PartnerKind{}
		for _, row := range rows {
			if f := fields[row[0]]; f != nil {
				*f = atoi(row[1])
			}
			if kind, ok := strings.CutPrefix(row[0], "partners:"); ok {
				o.Partners = append(o.Partners, PartnerKind{Kind: kind, Partners: atoi(row[1])})
			}
		}
		sort.Slice(o.Partners, func(i, j int) bool { return o.Partners[i].Kind < o.Partners[j].Kind })
	})
}

// coverage counts the grids and buildings by child place (finish totals them).
func (c *compute) coverage() part {
	var args []any
	from := c.r.sum("sum_standing") + " WHERE measure IN ('grids', 'buildings') AND " + c.scoped(factCols, &args) + " GROUP BY measure, c"
	return selectPart("coverage", []string{"measure", c.childOf(factCols), "count()"}, from, args, func(rows [][]string) {
		for _, row := range rows {
			v := c.values(uatoi(row[1]))
			if row[0] == "grids" {
				v.Coverage.Grids += atoi(row[2])
			} else {
				v.Coverage.Buildings += atoi(row[2])
			}
		}
	})
}

func (c *compute) residents() part {
	var args []any
	from := c.r.sum("sum_resident") + " WHERE " + c.scoped(factCols, &args)
	return selectPart("residents", []string{"sum(residents)"}, from, args, scalar(&c.out.Organisation.ResidentRecords))
}

// justiceMediators counts the distinct justice-system members of the mediation rooms.
func (c *compute) justiceMediators() part {
	var args []any
	from := c.r.sum("sum_mediation_member") + " WHERE unit_id IN (SELECT id FROM " + c.r.t("dim_unit") +
		" WHERE is_deleted = 0 AND is_justice = 1) AND " + c.scoped(communityCols, &args)
	return selectPart("justice_mediators", []string{"uniqExact(member_id)"}, from, args, scalar(&c.out.Organisation.JusticeMediators))
}

// serviceCategories counts the service categories, city-wide at every scope.
func (c *compute) serviceCategories() part {
	from := c.r.t("dim_service_category") + " WHERE is_deleted = 0"
	return selectPart("service_categories", []string{"count()"}, from, nil, scalar(&c.out.Organisation.ServiceCategories))
}

// activities counts events, people served and participations by kind and child place (an
// activity's scope and period decide, whoever takes part).
func (c *compute) activities() part {
	var args []any
	from := c.flows("sum_activity", "started_on", c.p, &args) + " GROUP BY kind, c"
	exprs := []string{"kind", c.childOf(factCols), "count()", "sum(people_served)", "sum(participations)"}
	return selectPart("activities", exprs, from, args, func(rows [][]string) {
		for _, row := range rows {
			events, served := atoi(row[2]), atoi(row[3])
			a := c.activityKind(row[0])
			a.Events += events
			a.PeopleServed += served
			a.PersonTimes += atoi(row[4])
			v := c.values(uatoi(row[1]))
			v.Activities.Events += events
			v.Activities.PeopleServed += served
		}
	})
}

// activityKind finds or adds a kind's entry, in kind order; callers hold mu.
func (c *compute) activityKind(kind string) *ActivityKind {
	as := &c.out.Activities
	i := sort.Search(len(*as), func(i int) bool { return (*as)[i].Kind >= kind })
	if i == len(*as) || (*as)[i].Kind != kind {
		*as = append(*as, ActivityKind{})
		copy((*as)[i+1:], (*as)[i:])
		(*as)[i] = ActivityKind{Kind: kind}
	}
	return &(*as)[i]
}

// distinctByKind counts, by kind, the distinct values of column col of a summary of the period's
// activities into the kind's field: counts that do not add up over places, so not in activities.
func (c *compute) distinctByKind(tag, table, col string, field func(a *ActivityKind) *int64) part {
	var args []any
	from := c.flows(table, "started_on", c.p, &args) + " GROUP BY kind"
	return selectPart(tag, []string{"kind", "uniqExact(" + col + ")"}, from, args, func(rows [][]string) {
		for _, row := range rows {
			*field(c.activityKind(row[0])) = atoi(row[1])
		}
	})
}

// activityMembers counts, by kind, the distinct party members taking part.
func (c *compute) activityMembers() part {
	return c.distinctByKind("activity_members", "sum_activity_member", "person_key", func(a *ActivityKind) *int64 { return &a.PartyMembers })
}

// intersections counts, by kind, the distinct intersections of the activities.
func (c *compute) intersections() part {
	return c.distinctByKind("intersections", "sum_activity", "intersection_id", func(a *ActivityKind) *int64 { return &a.Intersections })
}

// workLogs sums the grid work log by kind.
func (c *compute) workLogs() part {
	var args []any
	from := c.flows("sum_work_log_day", "logged_on", c.p, &args) + " GROUP BY kind"
	exprs := []string{"kind", "sum(entries)", "sum(people_served)", "sum(hours)"}
	return selectPart("work_logs", exprs, from, args, func(rows [][]string) {
		out := make([]WorkLogKind, 0, len(rows))
		for _, row := range rows {
			out = append(out, WorkLogKind{Kind: row[0], Entries: atoi(row[1]), PeopleServed: atoi(row[2]), Hours: atof(row[3])})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
		c.out.WorkLogs = out
	})
}

// meetingQuarters counts, for each quarter the period touches up to asOf (quartersOf), the live
// communities of the scope that held a joint meeting in it; finish sets them against the
// communities.
func (c *compute) meetingQuarters() part {
	qs := quartersOf(c.quarterSpan())
	if len(qs) == 0 {
		return part{}
	}
	var args []any
	from := c.r.sum("sum_meeting_day") + " WHERE meetings > 0 AND " + c.scoped(communityCols, &args) + " AND " +
		during("held_on", Span{qs[0], qs[len(qs)-1].AddDate(0, 3, -1)}, &args) + " AND community_id IN (SELECT item FROM " +
		c.r.sum("sum_standing") + " WHERE measure = 'communities' AND " + c.scoped(factCols, &args) + ") GROUP BY q"
	exprs := []string{"toYYYYMM(toStartOfQuarter(held_on)) AS q", "uniqExact(community_id)"}
	return selectPart("meeting_quarters", exprs, from, args, func(rows [][]string) {
		c.quarterMet = map[int64]int64{}
		for _, row := range rows {
			c.quarterMet[atoi(row[0])] = atoi(row[1])
		}
	})
}

// meetings sums the joint meetings and their matters.
func (c *compute) meetings() part {
	var args []any
	from := c.r.sum("sum_meeting_day") + " WHERE " + c.scoped(communityCols, &args) + " AND " + during("held_on", c.p, &args)
	exprs := []string{"sum(meetings)", "sum(matters)", "sum(major_matters)", "sum(disputes_mediated)"}
	return selectPart("joint_meetings", exprs, from, args, func(rows [][]string) {
		if len(rows) == 1 {
			r := rows[0]
			c.out.JointMeetings = JointMeetings{Meetings: atoi(r[0]), Matters: atoi(r[1]), MattersDiscussed: atoi(r[2]), DisputesJointlyMediated: atoi(r[3])}
		}
	})
}

// patrols sums the red stewards' patrols of the period, their findings and those raised.
func (c *compute) patrols() part {
	var args []any
	from := c.flows("sum_patrol_day", "patrolled_on", c.p, &args)
	return selectPart("patrols", []string{"sum(patrols)", "sum(findings)", "sum(findings_raised)"}, from, args, func(rows [][]string) {
		if len(rows) == 1 {
			c.out.Patrols = Patrols{Patrols: atoi(rows[0][0]), Findings: atoi(rows[0][1]), FindingsRaised: atoi(rows[0][2])}
		}
	})
}

// patrolTrend sums the patrols, findings and findings raised month by month of the patrol.
func (c *compute) patrolTrend() part {
	var args []any
	from := c.flows("sum_patrol_day", "patrolled_on", trendRange(c.p), &args) + " GROUP BY m"
	exprs := []string{"toYYYYMM(patrolled_on) AS m", "sum(patrols)", "sum(findings)", "sum(findings_raised)"}
	return selectPart("patrol_trend", exprs, from, args, func(rows [][]string) {
		for _, row := range rows {
			if t := c.trendPoint(row[0]); t != nil {
				t.Patrols, t.PatrolFindings, t.FindingsRaised = atoi(row[1]), atoi(row[2]), atoi(row[3])
			}
		}
	})
}

// policeDuties sums the volunteer-police duties started in the period, by kind.
func (c *compute) policeDuties() part {
	var args []any
	from := c.flows("sum_police_duty_day", "started_on", c.p, &args) + " GROUP BY kind"
	exprs := []string{"kind", "sum(duties)", "sum(participations)", "sum(hours)"}
	return selectPart("police_duties", exprs, from, args, func(rows [][]string) {
		d := PoliceDuties{ByKind: make([]PoliceDutyKind, 0, len(rows))}
		for _, row := range rows {
			k := PoliceDutyKind{Kind: row[0], Duties: atoi(row[1]), Participations: atoi(row[2]), Hours: atof(row[3])}
			d.ByKind = append(d.ByKind, k)
			d.Duties, d.Participations, d.Hours = d.Duties+k.Duties, d.Participations+k.Participations, d.Hours+k.Hours
		}
		sort.Slice(d.ByKind, func(i, j int) bool { return d.ByKind[i].Kind < d.ByKind[j].Kind })
		c.out.PoliceDuties = d
	})
}

// policeDutyTrend sums the hours of the volunteer-police duties month by month of their start.
func (c *compute) policeDutyTrend() part {
	var args []any
	from := c.flows("sum_police_duty_day", "started_on", trendRange(c.p), &args) + " GROUP BY m"
	return selectPart("police_duty_trend", []string{"toYYYYMM(started_on) AS m", "sum(hours)"}, from, args, func(rows [][]string) {
		for _, row := range rows {
			if t := c.trendPoint(row[0]); t != nil {
				t.PoliceDutyHours = atof(row[1])
			}
		}
	})
}
