package reports

import (
	"context"
	"math"

	"gridgov/auth"
	"gridgov/store"
)

// ledger is a grid's service ledger of a quarter as published to the grid group (季度公示):
// every record by member and day, each member's total, and the grid's, read from Postgres as
// the gridLedger query reads it, within the caller's scope.
func (src Source) ledger(ctx context.Context, allowed auth.Scope, rep *Report) error {
	rep.AsOf = src.now()
	records, err := src.Store.GridLedger(ctx, allowed, rep.Scope.Place.ID, rep.Period.From, rep.Period.To.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(records))
	for i, r := range records {
		if i == 0 || records[i-1].MemberID != r.MemberID {
			ids = append(ids, r.MemberID)
		}
	}
	members, err := store.Fetch(ctx, src.Store, store.MembersByID, allowed, ids)
	if err != nil {
		return err
	}
	name := func(id int64) string {
		if m := members[id]; m != nil {
			return m.Name
		}
		return ""
	}
	detail := Sheet{Name: "服务台账", Columns: []string{"姓名", "服务日期", "时长（小时）", "服务内容"}}
	totals := Sheet{Name: "党员合计", Columns: []string{"姓名", "服务记录", "时长（小时）"}}
	var hours float64
	for i, r := range records {
		detail.Rows = append(detail.Rows, []any{name(r.MemberID), r.ServedOn, r.Hours, r.Content})
		if i == 0 || records[i-1].MemberID != r.MemberID {
			totals.Rows = append(totals.Rows, []any{name(r.MemberID), int64(0), 0.0})
		}
		t := totals.Rows[len(totals.Rows)-1]
		t[1], t[2] = t[1].(int64)+1, t[2].(float64)+r.Hours
		hours += r.Hours
	}
	rep.Sheets = []Sheet{summarySheet("概况", LedgerFigures(int64(len(records)), hours, len(totals.Rows))), totals, detail}
	return nil
}

// LedgerFigures are a ledger's totals: its records and hours (the indicators'
// orders.serviceHours of the grid and quarter) and the members who served.
func LedgerFigures(records int64, hours float64, members int) []Figure {
	return []Figure{
		{"服务台账", "服务记录", records, "orders.serviceHours.records"},
		{"服务台账", "服务时长（小时）", math.Round(hours*100) / 100, "orders.serviceHours.hours"},
		{"服务台账", "服务党员", int64(members), ""},
	}
}

// scorecard is the units' scorecard of a year for the members living in the place, from the
// warehouse (warehouse.Reader.UnitScorecard), with the units' names.
func (src Source) scorecard(ctx context.Context, allowed auth.Scope, rep *Report) error {
	asOf, err := src.Warehouse.AsOf(ctx)
	if err != nil {
		return err
	}
	rep.AsOf = asOf
	lines, err := src.Warehouse.UnitScorecard(ctx, rep.Request.Scope, rep.Request.Period.Year)
	if err != nil {
		return err
	}
	ids := make([]int64, len(lines))
	for i, u := range lines {
		ids[i] = u.UnitID
	}
	units, err := store.Fetch(ctx, src.Store, store.UnitsByID, allowed, ids)
	if err != nil {
		return err
	}
	sh := Sheet{Name: "单位评分", Columns: []string{"单位", "党员", "已报到", "报到率", "服务时长（小时）", "人均时长（小时）",
		"好", "较好", "一般", "差", "好等次占比", "综合评分"}}
	for _, u := range lines {
		name := "无单位"
		if x := units[u.UnitID]; x != nil {
			name = x.Name
		}
		sh.Rows = append(sh.Rows, []any{name, u.Members, u.CheckedIn, rate(u.CheckinRate), u.ServiceHours, u.HoursPerMember,
			u.Good, u.Fair, u.Average, u.Poor, rate(u.GoodShare), u.Score})
	}
	rep.Sheets = []Sheet{sh}
	return nil
}
