package warehouse

import (
	"fmt"
	"time"

	"gridgov/apperr"
	"gridgov/gid"
)

// Indicators are the governance indicators of one scope over one period, computed in
// ClickHouse from the deduplicated warehouse (see Reader). The struct maps field by field onto
// the GraphQL type Indicators of schema/graphql/indicators.graphqls.
//
// Two kinds of number appear. Stocks — members expected and checked in, volunteers and teams,
// coverage, the organisation counts — are the state as at AsOf, whatever the period. Flows —
// issues, orders, service hours, ratings, activities, work logs, joint meetings — count what
// happened in the period (local days in Asia/Shanghai, both ends included). Issues and orders
// are cohorts: those reported (posted) in the period, with their state as at AsOf, so that
// "resolved" and "resolution rate" describe the same issues as "reported". The exceptions are
// the issues resolved on time and late (按期办结), and resolved and reopened (重办), counted by
// the day they were resolved, and the residents' verdicts (满意度回访), by the day given.
type Indicators struct {
	// AsOf is the time of the warehouse data: the Postgres snapshot of the ETL run that loaded
	// it (the oldest one among the tables and summary tables read). Overdue issues, and those
	// due soon, are judged at this time.
	AsOf   time.Time
	Scope  ScopeRef
	Period Span

	Checkins      Checkins
	Volunteers    Volunteers
	Issues        Issues
	Orders        Orders
	Coverage      Coverage
	Activities    []ActivityKind
	WorkLogs      []WorkLogKind
	JointMeetings JointMeetings
	Organisation  Organisation
	Patrols       Patrols
	PoliceDuties  PoliceDuties
	Density       Density

	// Breakdown has one entry per place one level down (city → streets → communities →
	// grids), every such place included even when its values are zero; empty for a grid.
	Breakdown []BreakdownItem
	// Unassigned holds the rows of the scope tied to no place one level down (a street-wide
	// activity, a member not yet placed in a grid): the breakdown plus Unassigned adds up to
	// the scope's own values.
	Unassigned BreakdownValues
	// Trend is month by month: the period's months, or the twelve months ending with the
	// period's last month when the period is shorter than a year.
	Trend []TrendPoint
}

// Level is where a scope sits in the place tree.
type Level string

// The levels, from the top.
const (
	LevelCity      Level = "CITY"
	LevelStreet    Level = "STREET"
	LevelCommunity Level = "COMMUNITY"
	LevelGrid      Level = "GRID"
)

// child is the level one down, "" below a grid.
func (l Level) child() Level {
	switch l {
	case LevelCity:
		return LevelStreet
	case LevelStreet:
		return LevelCommunity
	case LevelCommunity:
		return LevelGrid
	}
	return ""
}

// gidType is the GraphQL type whose global ids name places of the level.
func (l Level) gidType() string {
	switch l {
	case LevelStreet:
		return "Street"
	case LevelCommunity:
		return "Community"
	case LevelGrid:
		return "Grid"
	}
	return ""
}

// Scope says which part of the city indicators are computed for: the whole city (ID 0) or one
// street, community or grid by its Postgres id.
type Scope struct {
	Level Level
	ID    int64
}

// City is the scope of the whole city.
var City = Scope{Level: LevelCity}

// ScopeCity is the GraphQL scope argument naming the whole city; others are global ids.
const ScopeCity = "city"

// ParseScope reads a GraphQL scope argument: "city", or the global id of a Street, Community
// or Grid (gid.Encode("Street", 7)...). Anything else is BAD_USER_INPUT.
func ParseScope(s string) (Scope, error) {
	if s == ScopeCity {
		return City, nil
	}
	typ, id, ok := gid.Decode(s)
	if ok {
		for _, l := range []Level{LevelStreet, LevelCommunity, LevelGrid} {
			if typ == l.gidType() {
				return Scope{Level: l, ID: id}, nil
			}
		}
	}
	return Scope{}, apperr.Invalid("scope", "want \"city\" or the id of a street, community or grid")
}

// GlobalID is the scope as a GraphQL id: "city" or the place's global id.
func (s Scope) GlobalID() string {
	if s.Level == LevelCity {
		return ScopeCity
	}
	return gid.Encode(s.Level.gidType(), s.ID)
}

// ScopeRef is a resolved scope: its id, name, level and ancestors.
type ScopeRef struct {
	ID          string // GraphQL id: "city" or a global id
	Name        string
	Level       Level
	Place       Scope `json:"-"`
	StreetID    int64 `json:"-"` // 0 for the city
	CommunityID int64 `json:"-"` // 0 above a community
}

// PeriodKind is how a period is given.
type PeriodKind string

// The kinds of period.
const (
	PeriodMonth   PeriodKind = "MONTH"
	PeriodQuarter PeriodKind = "QUARTER"
	PeriodYear    PeriodKind = "YEAR"
	PeriodRange   PeriodKind = "RANGE"
)

// Period is the time a flow indicator counts: a month (Year, Month), a quarter (Year,
// Quarter), a year (Year) or a range of days (From, To, both included). Days are local
// (Asia/Shanghai), the time zone of every warehouse DateTime.
type Period struct {
	Kind    PeriodKind
	Year    int
	Month   int
	Quarter int
	From    time.Time // RANGE: first day
	To      time.Time // RANGE: last day, included
}

// Span is a period's first and last day, both included.
type Span struct {
	From, To time.Time
}

// Month, Quarter, Year and Range build periods.
func Month(year, month int) Period { return Period{Kind: PeriodMonth, Year: year, Month: month} }
func Quarter(year, quarter int) Period {
	return Period{Kind: PeriodQuarter, Year: year, Quarter: quarter}
}
func Year(year int) Period            { return Period{Kind: PeriodYear, Year: year} }
func Range(from, to time.Time) Period { return Period{Kind: PeriodRange, From: from, To: to} }

// AllTime is every day the warehouse calendar knows (dim_date: 2000–2099).
var AllTime = Range(date(2000, 1, 1), date(2099, 12, 31))

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Bounds validates the period and gives its first and last day.
func (p Period) Bounds() (Span, error) {
	if p.Kind != PeriodRange && (p.Year < 2000 || p.Year > 2099) {
		return Span{}, apperr.Invalid("period.year", "want a year from 2000 to 2099")
	}
	switch p.Kind {
	case PeriodMonth:
		if p.Month < 1 || p.Month > 12 {
			return Span{}, apperr.Invalid("period.month", "want a month from 1 to 12")
		}
		from := date(p.Year, time.Month(p.Month), 1)
		return Span{from, from.AddDate(0, 1, -1)}, nil
	case PeriodQuarter:
		if p.Quarter < 1 || p.Quarter > 4 {
			return Span{}, apperr.Invalid("period.quarter", "want a quarter from 1 to 4")
		}
		from := date(p.Year, time.Month(3*p.Quarter-2), 1)
		return Span{from, from.AddDate(0, 3, -1)}, nil
	case PeriodYear:
		return Span{date(p.Year, 1, 1), date(p.Year, 12, 31)}, nil
	case PeriodRange:
		from, to := dayOf(p.From), dayOf(p.To)
		if from.IsZero() || to.IsZero() || to.Before(from) {
			return Span{}, apperr.Invalid("period.to", "want from and to with from on or before to")
		}
		if from.Before(AllTime.From) || to.After(AllTime.To) {
			return Span{}, apperr.Invalid("period.from", "want days from 2000-01-01 to 2099-12-31")
		}
		return Span{from, to}, nil
	}
	return Span{}, apperr.Invalid("period.kind", "want MONTH, QUARTER, YEAR or RANGE")
}

func dayOf(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return date(t.Year(), t.Month(), t.Day())
}

// months lists the first day of every month from the month of from to the month of to.
func months(from, to time.Time) []time.Time {
	var out []time.Time
	for m := date(from.Year(), from.Month(), 1); !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

// trendRange is the months the trend covers: the period's, at least twelve.
func trendRange(p Span) Span {
	last := date(p.To.Year(), p.To.Month(), 1)
	first := date(p.From.Year(), p.From.Month(), 1)
	if min := last.AddDate(0, -11, 0); first.After(min) {
		first = min
	}
	if first.Before(AllTime.From) {
		first = AllTime.From
	}
	return Span{first, last.AddDate(0, 1, -1)}
}

// Checkins are in-service party members expected to check in at their residential
// community (报到) and those whose check-in is verified, as at AsOf.
type Checkins struct {
	Expected  int64   // live party members of the scope
	CheckedIn int64   // verified check-ins of the scope
	Rate      float64 // CheckedIn ÷ Expected, 0 when nobody is expected
	// Withdrawn and Transferred are the check-ins of the scope that ended so (a transfer counts
	// where it was left); ReverificationDue the verified ones not yet verified or re-verified
	// for the current year. All as at AsOf.
	Withdrawn         int64
	Transferred       int64
	ReverificationDue int64
	// ByUnit is per employer unit, by the members' own place: expected, and how many of them
	// have a verified check-in. Largest first.
	ByUnit []UnitCheckins
}

// UnitCheckins is the check-in of one unit's members.
type UnitCheckins struct {
	Unit      Unit
	Expected  int64
	CheckedIn int64
	Rate      float64
}

// Unit is an employer of party members.
type Unit struct {
	ID    string // global id (gid "Unit")
	Name  string
	RowID int64 `json:"-"` // Postgres id; 0 for members of no known unit
}

func unitOf(id int64, names map[int64]string) Unit {
	u := Unit{Name: names[id], RowID: id}
	if id > 0 {
		u.ID = gid.Encode("Unit", id)
	}
	return u
}

// Volunteers are registered real-name volunteers of the scope and their teams, as at AsOf.
type Volunteers struct {
	Registered int64 // live volunteers registered in the scope
	Police     int64 // of them, members of volunteer-police teams (义警)
	// TeamCount is every live team at city scope; below it, the teams with a volunteer in the
	// scope.
	TeamCount int64
	Teams     []TeamType // by team type; volunteers in no team appear under "none"
}

// TeamType counts teams and volunteers of one team type: municipal_agency,
// social_organisation, town_street (or none, for volunteers in no team).
type TeamType struct {
	TeamType   string
	Teams      int64
	Volunteers int64
	Police     int64
}

// Issues are the issues reported in the period and their state as at AsOf.
type Issues struct {
	Reported       int64
	Resolved       int64   // resolved or closed out
	Closed         int64   // closed out (销号)
	ResolutionRate float64 // Resolved ÷ Reported
	// Hours from report to close-out of the closed issues: the median and the 90th percentile,
	// as the value at rank ⌈p·n⌉ (Postgres's percentile_disc); nil when none is closed.
	MedianHoursToClose *float64
	P90HoursToClose    *float64
	Overdue            int64 // neither resolved nor closed, and past the deadline at AsOf
	Disputes           int64 // disputes to mediate (矛盾纠纷调解)
	DisputesMediated   int64 // disputes with outcome mediated
	// DisputesMediatedByCadres are mediated disputes with a cadre among the mediators.
	DisputesMediatedByCadres int64
	// DueSoon are neither resolved nor closed, warned (预警) that their due time nears, and not
	// yet past it at AsOf.
	DueSoon int64
	// ResolvedOnTime and ResolvedLate count the issues resolved in the period (by the local day
	// of resolved_at, whenever reported) that had a due time, and are resolved or closed as at
	// AsOf: at or before their due time (按期办结), and after it. Unlike the other counts they
	// are not a cohort of the issues reported in the period.
	ResolvedOnTime int64
	ResolvedLate   int64
	// OnTimeRate is ResolvedOnTime ÷ (ResolvedOnTime + ResolvedLate) (按期办结率); nil when no
	// issue with a due time was resolved in the period.
	OnTimeRate *float64
	// Of the issues reported: urged at least once (催办), under supervision (督办), with an
	// approved extension (延期), escalated automatically when overdue (超期自动上报).
	Urged         int64
	Supervised    int64
	Extended      int64
	AutoEscalated int64
	// The residents' verdicts on resolutions (满意度回访) given in the period, by the local day
	// each was given (whenever the issue was reported), superseded ones included: satisfied,
	// unsatisfied (each reopened the issue or sent it to the street), and no response (none came
	// within the category's verdict_days; the scheduler closed the issue). By channel: given by
	// the resident, or recorded by a cadre after a phone call; no response is the third.
	VerdictsSatisfied   int64
	VerdictsUnsatisfied int64
	VerdictsNoResponse  int64
	VerdictsByResident  int64
	VerdictsByPhone     int64
	// SatisfactionRate is VerdictsSatisfied ÷ (VerdictsSatisfied + VerdictsUnsatisfied) (满意率):
	// of the verdicts the residents gave, no response left out; nil when none was given.
	SatisfactionRate *float64
	// AverageVerdictScore is the mean score (1 to 5) of the verdicts given; nil when none.
	AverageVerdictScore *float64
	// ResolvedInPeriod counts the issues resolved in the period (by the local day of their
	// latest resolution, whenever reported) and resolved or closed as at AsOf; Reopened those
	// of them reopened (重办) before that resolution, after an unsatisfied verdict or a failed
	// verification, and Reopens their reopenings in all.
	ResolvedInPeriod int64
	Reopened         int64
	Reopens          int64
	// ReopenRate is Reopened ÷ ResolvedInPeriod (重办率); nil when none was resolved.
	ReopenRate *float64
	ByCategory []IssueCategory // every category with issues, most reported first
	ByGroup    []IssueGroup    // by category group
}

// IssueCategory counts one category's issues.
type IssueCategory struct {
	Category string // stable code
	Name     string
	NameZh   string
	Group    string
	Reported int64
	Resolved int64
	Closed   int64
	// ResolvedQuantity sums the resolved issues' quantities, in QuantityUnit (e.g. m2 of
	// greening); 0 when the category counts none.
	ResolvedQuantity float64
	QuantityUnit     string
}

// IssueGroup counts one category group's issues (old_compound, infrastructure...).
type IssueGroup struct {
	Group            string
	Reported         int64
	Resolved         int64
	ResolvedQuantity float64
}

// Orders are the service orders posted in the period (群众点单、网格下单、党员接单), their
// state as at AsOf, the service ledger's hours and the year-end ratings.
type Orders struct {
	Posted    int64
	Claimed   int64 // accepted by a party member
	Completed int64 // completed or rated
	Rated     int64
	Declined  int64 // declined by the grid
	Released  int64 // released back to the demand list at least once
	Late      int64 // flagged as not claimed or not completed in time
	// MedianHoursToClaim is from posting to acceptance, over the claimed orders (rank ⌈n/2⌉);
	// nil when none is claimed.
	MedianHoursToClaim *float64
	AverageRating      *float64 // over the rated orders, 1–5; nil when none is rated
	// ServiceHours is the service ledger (服务台账) by quarter of the period.
	ServiceHours []QuarterHours
	// Ratings are the year-end ratings (年终考核) of the years the period touches, and the same
	// by the members' unit. Kept per community: nil at grid scope.
	Ratings       *RatingCounts
	RatingsByUnit []UnitRatings
	// RatingStages are the same ratings by stage of the year-end workflow; nil at grid scope.
	RatingStages *RatingStages
}

// RatingStages counts year-end ratings by where they stand in the workflow.
type RatingStages struct {
	Draft        int64
	Submitted    int64
	Approved     int64
	Notified     int64 // the member's unit was told (通报单位)
	Acknowledged int64 // by the unit
	Appealed     int64 // by the member, not yet decided
}

// QuarterHours is the service time recorded in one quarter.
type QuarterHours struct {
	Year    int
	Quarter int
	Records int64
	Hours   float64
}

// RatingCounts is a distribution of year-end ratings: 好/较好/一般/差.
type RatingCounts struct {
	Good    int64
	Fair    int64
	Average int64
	Poor    int64
}

// UnitRatings is the rating distribution of one unit's members.
type UnitRatings struct {
	Unit    Unit
	Ratings RatingCounts
}

// Coverage says how well the scope's grids and buildings are covered, as at AsOf.
type Coverage struct {
	Grids               int64
	GridsWithCadre      int64 // with a current liaison street cadre (包联)
	GridsWithInstructor int64 // with a current grid party-building instructor
	GridsWithLeader     int64 // with a current grid leader (网格长)
	GridWorkerPosts     int64 // current grid-worker (网格员) assignments: per grid, GridWorkerPosts / Grids
	Buildings           int64
	BuildingsWithLeader int64 // with a current building leader (楼栋长)
}

// ActivityKind counts the activities of one kind held in the period.
type ActivityKind struct {
	Kind          string
	Events        int64
	PersonTimes   int64 // participations
	PeopleServed  int64
	PartyMembers  int64 // distinct party members taking part
	Intersections int64 // distinct intersections (intersection duty)
}

// WorkLogKind counts the grid work log's entries of one kind in the period.
type WorkLogKind struct {
	Kind         string
	Entries      int64
	PeopleServed int64
	Hours        float64
}

// Patrols are the red stewards' patrols (红色小管家巡查) of the period, by the local day of the
// patrol, with their findings and, of those, the ones raised as issues (问题交办).
type Patrols struct {
	Patrols        int64
	Findings       int64
	FindingsRaised int64
}

// PoliceDuties are the volunteer-police duties (义警: patrol, traffic duty) that started in the
// period, with the participations and hours served, and the same by kind.
type PoliceDuties struct {
	Duties         int64
	Participations int64
	Hours          float64
	ByKind         []PoliceDutyKind // police_patrol, police_traffic: those held
}

// PoliceDutyKind counts the volunteer-police duties of one kind.
type PoliceDutyKind struct {
	Kind           string
	Duties         int64
	Participations int64
	Hours          float64
}

// JointMeetings are the joint meetings (党建联席会) held in the period and their matters.
// Kept per community: zero at grid scope.
type JointMeetings struct {
	Meetings                int64
	Matters                 int64
	MattersDiscussed        int64 // major matters discussed (共议重大事项)
	DisputesJointlyMediated int64 // disputes with outcome mediated (联合调解)
	// Quarters is the quarterly compliance (每季度至少召开一次) of each calendar quarter the
	// period touches up to AsOf, the last eight at most, oldest first: over the whole quarter,
	// whatever part of it the period covers.
	Quarters []MeetingQuarter
}

// MeetingQuarter is one quarter's compliance: the live communities of the scope as at AsOf,
// and those of them that held at least one joint meeting in the quarter (scheduled and
// cancelled meetings do not count). Communities are kept per community: zero at grid scope.
type MeetingQuarter struct {
	Quarter        string   // YYYY-Qn
	Communities    int64    // live communities of the scope
	CommunitiesMet int64    // of them, those that held a meeting in the quarter
	Share          *float64 // CommunitiesMet ÷ Communities; nil when there is no community
}

// shanghai is the time zone of the warehouse's days.
var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// maxMeetingQuarters bounds the quarters of the compliance list.
const maxMeetingQuarters = 8

// quartersOf gives the first days of the calendar quarters span touches, the last
// maxMeetingQuarters at most, oldest first.
func quartersOf(sp Span) []time.Time {
	start := func(t time.Time) time.Time { return date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1) }
	last := start(sp.To)
	first := start(sp.From)
	if min := last.AddDate(0, -3*(maxMeetingQuarters-1), 0); first.Before(min) {
		first = min
	}
	var out []time.Time
	for q := first; !q.After(last); q = q.AddDate(0, 3, 0) {
		out = append(out, q)
	}
	return out
}

// quarterName writes the quarter starting on day q as YYYY-Qn.
func quarterName(q time.Time) string {
	return fmt.Sprintf("%d-Q%d", q.Year(), (int(q.Month())-1)/3+1)
}

// Organisation counts the standing organisation of the scope as at AsOf: places, people in
// roles and partners. Counts of rows kept per community or street (communities, compounds,
// governance instructors, pairings, mediation rooms, social organisations, venture
// projects) are zero at scopes below their level; ServiceCategories is city-wide.
type Organisation struct {
	Communities             int64
	CommunitiesWithPartyOrg int64
	GridInstructors         int64 // distinct street leaders instructing grids
	LiaisonCadres           int64 // distinct street cadres assigned to grids
	ResidentRecords         int64
	BuildingLeaders         int64
	OwnerRepresentatives    int64
	MarketManagedCompounds  int64
	JusticeMediators        int64 // distinct justice-system members in mediation rooms
	RedStewards             int64
	GovernanceInstructors   int64 // current ones
	Partners                []PartnerKind
	PairedCivilisedUnits    int64 // distinct civilised units paired with practice stations
	SocialOrgPartyOrgs      int64 // social organisations with a party organisation
	VentureProjects         int64
	ServiceCategories       int64
}

// PartnerKind counts the current co-building partners (七联共建) of one kind.
type PartnerKind struct {
	Kind     string
	Partners int64
}

// BreakdownValues are the additive indicators a breakdown reports per place.
type BreakdownValues struct {
	Checkins   CheckinCounts
	Issues     IssueCounts
	Orders     OrderCounts
	Volunteers VolunteerCounts
	Activities ActivityCounts
	Coverage   CoverageCounts
	Density    Density
}

// BreakdownItem is one place one level down and its values.
type BreakdownItem struct {
	Scope ScopeRef
	BreakdownValues
}

// CheckinCounts are check-in numbers of a breakdown.
type CheckinCounts struct {
	Expected          int64
	CheckedIn         int64
	Rate              float64
	Withdrawn         int64
	Transferred       int64
	ReverificationDue int64
}

// IssueCounts are issue numbers of a breakdown (see Issues for what each counts).
type IssueCounts struct {
	Reported       int64
	Resolved       int64
	Closed         int64
	Overdue        int64
	DueSoon        int64
	ResolvedOnTime int64 // resolved in the period
	ResolvedLate   int64 // resolved in the period
	Urged          int64
	Supervised     int64
	Extended       int64
	AutoEscalated  int64
	// The verdicts given, and the issues resolved and reopened, in the period.
	VerdictsSatisfied   int64
	VerdictsUnsatisfied int64
	VerdictsNoResponse  int64
	ResolvedInPeriod    int64
	Reopened            int64
	Reopens             int64
}

// OrderCounts are order numbers of a breakdown.
type OrderCounts struct {
	Posted    int64
	Claimed   int64
	Completed int64
	Declined  int64
	Released  int64
	Late      int64
}

// VolunteerCounts are volunteer numbers of a breakdown.
type VolunteerCounts struct {
	Registered int64
	Police     int64
}

// ActivityCounts are activity numbers of a breakdown.
type ActivityCounts struct {
	Events       int64
	PeopleServed int64
}

// CoverageCounts are coverage numbers of a breakdown.
type CoverageCounts struct {
	Grids     int64
	Buildings int64
}

// TrendPoint is one month of the trend: issues and orders reported (posted) that month and,
// of them, how many are resolved (completed) as at AsOf — the cohorts of Issues and Orders,
// so the months of a period add up to the period.
//
// The deadline counts follow Issues: IssuesResolvedOnTime and IssuesResolvedLate are the issues
// resolved that month (by resolved_at), the others of the issues reported that month. The
// verdicts are those given that month; IssuesResolvedInPeriod and IssuesReopened the issues
// whose latest resolution fell in that month, and of them those reopened before it.
type TrendPoint struct {
	Month                string // YYYY-MM
	IssuesReported       int64
	IssuesResolved       int64
	IssuesResolvedOnTime int64
	IssuesResolvedLate   int64
	IssuesUrged          int64
	IssuesSupervised     int64
	IssuesExtended       int64
	IssuesAutoEscalated  int64
	VerdictsSatisfied    int64
	VerdictsUnsatisfied  int64
	VerdictsNoResponse   int64
	// IssuesResolvedInPeriod and IssuesReopened: by the month of the latest resolution.
	IssuesResolvedInPeriod int64
	IssuesReopened         int64
	OrdersPosted           int64
	OrdersCompleted        int64
	// The red stewards' patrols that month, their findings and those raised as issues, and the
	// hours of the volunteer-police duties started that month.
	Patrols         int64
	PatrolFindings  int64
	FindingsRaised  int64
	PoliceDutyHours float64
}

func ratio(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// ratioOrNil is n ÷ d, or nil when d is 0 (a rate of nothing).
func ratioOrNil(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	r := ratio(n, d)
	return &r
}

func (l Level) String() string { return string(l) }

// column names the place column of a level in a table: "" when the table does not keep it.
type placeCols struct{ street, community, grid string }

func (c placeCols) of(l Level) string {
	switch l {
	case LevelStreet:
		return c.street
	case LevelCommunity:
		return c.community
	case LevelGrid:
		return c.grid
	}
	return ""
}

// The place columns of facts (grid kept), of community-level rows, and of the place
// dimensions (whose own id is the level's id).
var (
	factCols      = placeCols{"street_id", "community_id", "grid_id"}
	communityCols = placeCols{"street_id", "community_id", ""}
	streetCols    = placeCols{"street_id", "", ""}
	gridDimCols   = placeCols{"street_id", "community_id", "id"}
	commDimCols   = placeCols{"street_id", "id", ""}
)

// where is the SQL condition that keeps a table's rows in scope s, with its argument: the
// scope applied inside SQL, never after. A table that does not keep the level's column has
// no rows at that level.
func where(c placeCols, s Scope) (string, []any) {
	if s.Level == LevelCity {
		return "1", nil
	}
	col := c.of(s.Level)
	if col == "" {
		return "0", nil
	}
	return Quote(col) + " = ?", []any{s.ID}
}

// childExpr is the expression grouping a table's rows by the place one level below s: 0 for
// rows tied to none.
func childExpr(c placeCols, s Scope) string {
	col := c.of(s.Level.child())
	if col == "" {
		return "toUInt64(0)"
	}
	return "ifNull(" + Quote(col) + ", 0)"
}

func (s Scope) String() string { return fmt.Sprintf("%s %d", s.Level, s.ID) }
