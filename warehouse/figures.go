package warehouse

import "time"

// FigureSource says where a published figure of the source report (seed.Figures,
// shared/domain/FIGURES.md) is read off the indicators: at city scope, over Period, the value
// Value gives. The report gives most figures over its whole record, some for "last year".
type FigureSource struct {
	Key string
	// Period is the period the figure covers, given the date of the report (the demo
	// city's as-of date).
	Period func(reportDate time.Time) Period
	Value  func(*Indicators) float64
}

func allTime(time.Time) Period { return AllTime }

// lastYear is the calendar year before the report date.
func lastYear(d time.Time) Period { return Year(d.Year() - 1) }

// FigureSources maps every published figure onto an indicator, in the order of FIGURES.md.
var FigureSources = []FigureSource{
	{"communities", allTime, func(i *Indicators) float64 { return f(i.Organisation.CommunitiesWithPartyOrg) }},
	{"grid_instructors", allTime, func(i *Indicators) float64 { return f(i.Organisation.GridInstructors) }},
	{"liaison_cadres", allTime, func(i *Indicators) float64 { return f(i.Organisation.LiaisonCadres) }},
	{"frontline_person_times", allTime, func(i *Indicators) float64 { return f(i.workLog("frontline_service").PeopleServed) }},
	{"disputes_mediated_by_cadres", allTime, func(i *Indicators) float64 { return f(i.Issues.DisputesMediatedByCadres) }},
	{"consultations", allTime, func(i *Indicators) float64 {
		return f(i.workLog("policy_consultation").Entries + i.workLog("convenience_service").Entries)
	}},
	{"resident_records", allTime, func(i *Indicators) float64 { return f(i.Organisation.ResidentRecords) }},
	{"issues_handled", allTime, func(i *Indicators) float64 { return f(i.Issues.Resolved) }},
	{"old_compound_resolved", allTime, func(i *Indicators) float64 { return f(i.issueGroup("old_compound").Resolved) }},
	{"infrastructure_repairs", allTime, func(i *Indicators) float64 { return f(i.issueGroup("infrastructure").Resolved) }},
	{"greening_m2", allTime, func(i *Indicators) float64 { return i.issueCategory("greening").ResolvedQuantity }},
	{"matters_discussed", allTime, func(i *Indicators) float64 { return f(i.JointMeetings.MattersDiscussed) }},
	{"disputes_jointly_mediated", allTime, func(i *Indicators) float64 { return f(i.JointMeetings.DisputesJointlyMediated) }},
	{"co_building_person_times", allTime, func(i *Indicators) float64 { return f(i.Activity("co_building_service").PersonTimes) }},
	{"members_checked_in", allTime, func(i *Indicators) float64 { return f(i.Checkins.CheckedIn) }},
	{"checkin_rate_pct", allTime, func(i *Indicators) float64 { return roundHalfAway(100 * i.Checkins.Rate) }},
	{"building_leaders", allTime, func(i *Indicators) float64 { return f(i.Organisation.BuildingLeaders) }},
	{"owner_representatives", allTime, func(i *Indicators) float64 { return f(i.Organisation.OwnerRepresentatives) }},
	{"market_managed_compounds", allTime, func(i *Indicators) float64 { return f(i.Organisation.MarketManagedCompounds) }},
	{"justice_mediators", allTime, func(i *Indicators) float64 { return f(i.Organisation.JusticeMediators) }},
	{"intersection_members", allTime, func(i *Indicators) float64 { return f(i.Activity("intersection_duty").PartyMembers) }},
	{"intersections_covered", allTime, func(i *Indicators) float64 { return f(i.Activity("intersection_duty").Intersections) }},
	{"vaccination_members", allTime, func(i *Indicators) float64 { return f(i.Activity("vaccination_drive").PartyMembers) }},
	{"vaccination_residents", allTime, func(i *Indicators) float64 { return f(i.Activity("vaccination_drive").PeopleServed) }},
	{"service_categories", allTime, func(i *Indicators) float64 { return f(i.Organisation.ServiceCategories) }},
	{"orders_solved", allTime, func(i *Indicators) float64 { return f(i.Orders.Completed) }},
	{"themed_party_days", lastYear, func(i *Indicators) float64 { return f(i.Activity("themed_party_day").Events) }},
	{"red_stewards", allTime, func(i *Indicators) float64 { return f(i.Organisation.RedStewards) }},
	{"governance_instructors", allTime, func(i *Indicators) float64 { return f(i.Organisation.GovernanceInstructors) }},
	{"paired_civilised_units", allTime, func(i *Indicators) float64 { return f(i.Organisation.PairedCivilisedUnits) }},
	{"legal_publicity_events", allTime, func(i *Indicators) float64 { return f(i.Activity("legal_publicity").Events) }},
	{"legal_publicity_served", allTime, func(i *Indicators) float64 { return f(i.Activity("legal_publicity").PeopleServed) }},
	{"classroom_person_times", allTime, func(i *Indicators) float64 { return f(i.Activity("micro_classroom").PersonTimes) }},
	{"classroom_youths", allTime, func(i *Indicators) float64 { return f(i.Activity("micro_classroom").PeopleServed) }},
	{"social_org_party_orgs", allTime, func(i *Indicators) float64 { return f(i.Organisation.SocialOrgPartyOrgs) }},
	{"micro_welfare_services", allTime, func(i *Indicators) float64 { return f(i.Activity("micro_welfare").Events) }},
	{"venture_projects", allTime, func(i *Indicators) float64 { return f(i.Organisation.VentureProjects) }},
	{"teams", allTime, func(i *Indicators) float64 { return f(i.Volunteers.TeamCount) }},
	{"teams_municipal_agency", allTime, func(i *Indicators) float64 { return f(i.TeamType("municipal_agency").Teams) }},
	{"teams_social_organisation", allTime, func(i *Indicators) float64 { return f(i.TeamType("social_organisation").Teams) }},
	{"teams_town_street", allTime, func(i *Indicators) float64 { return f(i.TeamType("town_street").Teams) }},
	{"volunteers", allTime, func(i *Indicators) float64 { return f(i.Volunteers.Registered) }},
	{"volunteer_police", allTime, func(i *Indicators) float64 { return f(i.Volunteers.Police) }},
}

func f(n int64) float64 { return float64(n) }

// roundHalfAway rounds as Postgres's round(numeric) does.
func roundHalfAway(x float64) float64 {
	if x < 0 {
		return -roundHalfAway(-x)
	}
	return float64(int64(x + 0.5))
}

// Activity gives the counts of one activity kind (zero when none was held).
func (i *Indicators) Activity(kind string) ActivityKind {
	for _, a := range i.Activities {
		if a.Kind == kind {
			return a
		}
	}
	return ActivityKind{Kind: kind}
}

// TeamType gives the counts of one team type (zero when it has none).
func (i *Indicators) TeamType(typ string) TeamType {
	for _, t := range i.Volunteers.Teams {
		if t.TeamType == typ {
			return t
		}
	}
	return TeamType{TeamType: typ}
}

func (i *Indicators) workLog(kind string) WorkLogKind {
	for _, w := range i.WorkLogs {
		if w.Kind == kind {
			return w
		}
	}
	return WorkLogKind{Kind: kind}
}

func (i *Indicators) issueGroup(g string) IssueGroup {
	for _, x := range i.Issues.ByGroup {
		if x.Group == g {
			return x
		}
	}
	return IssueGroup{Group: g}
}

func (i *Indicators) issueCategory(code string) IssueCategory {
	for _, x := range i.Issues.ByCategory {
		if x.Category == code {
			return x
		}
	}
	return IssueCategory{Category: code}
}
