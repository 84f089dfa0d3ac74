package reports

import (
	"context"

	"gridgov/warehouse"
)

// Figure is one line of a report's summary sheet: its group, its Chinese name, its value (an
// int64, a float64 or a rate, *float64) and the path of the same figure in the GraphQL
// indicators answer, so a reader can find it there.
type Figure struct {
	Group, Name string
	Value       any
	Path        string
}

// summaryColumns are the columns of a summary sheet.
var summaryColumns = []string{"类别", "指标", "数值", "接口字段"}

// summarySheet lays figures out as a sheet.
func summarySheet(name string, figs []Figure) Sheet {
	sh := Sheet{Name: name, Columns: summaryColumns}
	for _, f := range figs {
		sh.Rows = append(sh.Rows, []any{f.Group, f.Name, f.Value, f.Path})
	}
	return sh
}

// MonthlyFigures are the monthly report's summary: check-in, issues with their on-time rate and
// satisfaction, orders, service hours, volunteers, activities and joint meetings of ind.
func MonthlyFigures(ind *warehouse.Indicators) []Figure {
	c, i, o, v, m := ind.Checkins, ind.Issues, ind.Orders, ind.Volunteers, ind.JointMeetings
	var records int64
	var hours float64
	for _, q := range o.ServiceHours {
		records, hours = records+q.Records, hours+q.Hours
	}
	var events, personTimes, served int64
	for _, a := range ind.Activities {
		events, personTimes, served = events+a.Events, personTimes+a.PersonTimes, served+a.PeopleServed
	}
	return []Figure{
		{"党员报到", "应报到党员", c.Expected, "checkins.expected"},
		{"党员报到", "已报到党员", c.CheckedIn, "checkins.checkedIn"},
		{"党员报到", "报到率", rate(c.Rate), "checkins.rate"},
		{"问题办理", "上报问题", i.Reported, "issues.reported"},
		{"问题办理", "已办结", i.Resolved, "issues.resolved"},
		{"问题办理", "已销号", i.Closed, "issues.closed"},
		{"问题办理", "办结率", rate(i.ResolutionRate), "issues.resolutionRate"},
		{"问题办理", "按期办结", i.ResolvedOnTime, "issues.resolvedOnTime"},
		{"问题办理", "超期办结", i.ResolvedLate, "issues.resolvedLate"},
		{"问题办理", "按期办结率", i.OnTimeRate, "issues.onTimeRate"},
		{"问题办理", "超期未办结", i.Overdue, "issues.overdue"},
		{"问题办理", "满意", i.VerdictsSatisfied, "issues.verdictsSatisfied"},
		{"问题办理", "不满意", i.VerdictsUnsatisfied, "issues.verdictsUnsatisfied"},
		{"问题办理", "未回访", i.VerdictsNoResponse, "issues.verdictsNoResponse"},
		{"问题办理", "满意率", i.SatisfactionRate, "issues.satisfactionRate"},
		{"问题办理", "重办率", i.ReopenRate, "issues.reopenRate"},
		{"服务订单", "发布订单", o.Posted, "orders.posted"},
		{"服务订单", "已接单", o.Claimed, "orders.claimed"},
		{"服务订单", "已完成", o.Completed, "orders.completed"},
		{"服务订单", "已评价", o.Rated, "orders.rated"},
		{"服务订单", "超时", o.Late, "orders.late"},
		{"服务台账", "服务记录", records, "orders.serviceHours.records"},
		{"服务台账", "服务时长（小时）", hours, "orders.serviceHours.hours"},
		{"志愿服务", "注册志愿者", v.Registered, "volunteers.registered"},
		{"志愿服务", "义警", v.Police, "volunteers.police"},
		{"志愿服务", "志愿队伍", v.TeamCount, "volunteers.teamCount"},
		{"活动", "活动场次", events, "activities.events"},
		{"活动", "参与人次", personTimes, "activities.personTimes"},
		{"活动", "服务群众", served, "activities.peopleServed"},
		{"党建联席会", "召开会议", m.Meetings, "jointMeetings.meetings"},
		{"党建联席会", "议定事项", m.Matters, "jointMeetings.matters"},
		{"党建联席会", "共议重大事项", m.MattersDiscussed, "jointMeetings.mattersDiscussed"},
		{"党建联席会", "联合调解纠纷", m.DisputesJointlyMediated, "jointMeetings.disputesJointlyMediated"},
	}
}

// rate gives a rate that always has a value as one that may not (the type of Rate cells).
func rate(r float64) *float64 { return &r }

func (src Source) monthly(ctx context.Context, rep *Report) error {
	ind, err := src.Warehouse.Indicators(ctx, rep.Request.Scope, rep.Request.Period)
	if err != nil {
		return err
	}
	rep.AsOf = ind.AsOf
	rep.Sheets = []Sheet{summarySheet("概况", MonthlyFigures(ind)), breakdownSheet(ind), categorySheet(ind),
		activitySheet(ind), teamSheet(ind), unitSheet(ind)}
	return nil
}

func breakdownSheet(ind *warehouse.Indicators) Sheet {
	sh := Sheet{Name: "分区", Columns: []string{"名称", "应报到党员", "已报到党员", "报到率",
		"上报问题", "已办结", "按期办结", "超期办结", "超期未办结",
		"发布订单", "已完成订单", "注册志愿者", "活动场次", "服务群众"}}
	row := func(name string, b warehouse.BreakdownValues) []any {
		return []any{name, b.Checkins.Expected, b.Checkins.CheckedIn, rate(b.Checkins.Rate), b.Issues.Reported, b.Issues.Resolved,
			b.Issues.ResolvedOnTime, b.Issues.ResolvedLate, b.Issues.Overdue, b.Orders.Posted, b.Orders.Completed,
			b.Volunteers.Registered, b.Activities.Events, b.Activities.PeopleServed}
	}
	for _, b := range ind.Breakdown {
		sh.Rows = append(sh.Rows, row(b.Scope.Name, b.BreakdownValues))
	}
	if len(ind.Breakdown) > 0 {
		sh.Rows = append(sh.Rows, row("未分配到下级", ind.Unassigned))
	}
	return sh
}

func categorySheet(ind *warehouse.Indicators) Sheet {
	sh := Sheet{Name: "问题分类", Columns: []string{"分类", "分组", "上报", "已办结", "已销号",
		"办结数量", "数量单位"}}
	for _, c := range ind.Issues.ByCategory {
		sh.Rows = append(sh.Rows, []any{c.NameZh, c.Group, c.Reported, c.Resolved, c.Closed, c.ResolvedQuantity, c.QuantityUnit})
	}
	return sh
}

func activitySheet(ind *warehouse.Indicators) Sheet {
	sh := Sheet{Name: "活动", Columns: []string{"活动类型", "场次", "参与人次", "服务群众", "参与党员"}}
	for _, a := range ind.Activities {
		sh.Rows = append(sh.Rows, []any{a.Kind, a.Events, a.PersonTimes, a.PeopleServed, a.PartyMembers})
	}
	return sh
}

// teamTypeZh names the volunteer team types; "none" is the volunteers in no team.
var teamTypeZh = map[string]string{"municipal_agency": "市直机关", "social_organisation": "社会组织", "town_street": "镇街", "none": "未加入队伍"}

func teamSheet(ind *warehouse.Indicators) Sheet {
	sh := Sheet{Name: "志愿队伍", Columns: []string{"队伍类型", "队伍数", "志愿者", "义警"}}
	for _, t := range ind.Volunteers.Teams {
		name := teamTypeZh[t.TeamType]
		if name == "" {
			name = t.TeamType
		}
		sh.Rows = append(sh.Rows, []any{name, t.Teams, t.Volunteers, t.Police})
	}
	return sh
}

func unitSheet(ind *warehouse.Indicators) Sheet {
	sh := Sheet{Name: "单位报到", Columns: []string{"单位", "应报到党员", "已报到党员", "报到率"}}
	for _, u := range ind.Checkins.ByUnit {
		name := u.Unit.Name
		if u.Unit.RowID == 0 {
			name = "无单位"
		}
		sh.Rows = append(sh.Rows, []any{name, u.Expected, u.CheckedIn, rate(u.Rate)})
	}
	return sh
}
