package warehouse

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Summary is a small table of counts and sums (or of a few columns per issue, order or
// activity) that the indicators read instead of the large facts: ClickHouse 18.16 merges a FINAL
// read in one thread, so deduplicating millions of rows on every request is what made the
// indicators slow.
//
// A summary is always built whole from the deduplicated sources (FINAL, is_deleted = 0) into a
// staging table that one RENAME then swaps in: never a materialized view over the
// ReplacingMergeTree sources, which would count every stored version of an updated row. Its
// rows are unique by construction (one INSERT … SELECT … GROUP BY), so it is a plain MergeTree
// read without FINAL. sum_state records, per summary, the ETL snapshot it reflects; the
// indicators report the oldest of them (and of the checkpoints) as their asOf.
type Summary struct {
	Table   string   // sum_* table, declared in schema/clickhouse
	Sources []string // the warehouse tables it is built from
	// Select gives the rows, columns in the order of the table's DDL; t qualifies a source
	// table and reads it FINAL.
	Select func(t func(string) string) string
}

// reverificationDue is a verified check-in not verified or re-verified for the current year
// (Asia/Shanghai): workflow.ReverificationDue in the warehouse.
const reverificationDue = "state = 'verified' AND decided_at IS NOT NULL AND greatest(toYear(assumeNotNull(decided_at)), ifNull(reverified_year, 0)) < toYear(now(), 'Asia/Shanghai')"

// summaryStateTable records which snapshot each summary reflects.
const summaryStateTable = "sum_state"

// Summaries lists every summary table the indicators read.
// meetingHeld keeps the joint meetings held: neither scheduled nor cancelled (a meeting copied
// before the warehouse had its state has none, and was held).
const meetingHeld = "state NOT IN ('scheduled', 'cancelled')"

var Summaries = []Summary{
	{"sum_member", []string{"role_party_member", "fact_checkin"}, func(t func(string) string) string {
		return "SELECT street_id, community_id, ifNull(grid_id, 0), unit_id, count(), countIf(id IN (SELECT member_id FROM " + t("fact_checkin") +
			" WHERE is_deleted = 0 AND state = 'verified')) FROM " + t("role_party_member") +
			" WHERE is_deleted = 0 GROUP BY street_id, community_id, ifNull(grid_id, 0), unit_id"
	}},
	{"sum_checkin", []string{"fact_checkin"}, func(t func(string) string) string {
		return "SELECT street_id, community_id, ifNull(grid_id, 0), countIf(state = 'verified'), countIf(state = 'withdrawn'), " +
			"countIf(state = 'transferred'), countIf(" + reverificationDue + ") FROM " + t("fact_checkin") +
			" WHERE is_deleted = 0 GROUP BY street_id, community_id, ifNull(grid_id, 0)"
	}},
	{"sum_volunteer", []string{"fact_volunteer"}, func(t func(string) string) string {
		return "SELECT street_id, community_id, ifNull(grid_id, 0), ifNull(team_id, 0), count() FROM " + t("fact_volunteer") +
			" WHERE is_deleted = 0 GROUP BY street_id, community_id, ifNull(grid_id, 0), ifNull(team_id, 0)"
	}},
	{"sum_resident", []string{"role_resident"}, func(t func(string) string) string {
		return "SELECT street_id, community_id, grid_id, count() FROM " + t("role_resident") +
			" WHERE is_deleted = 0 AND moved_out_on IS NULL GROUP BY street_id, community_id, grid_id"
	}},
	{"sum_issue_day", []string{"fact_issue", "fact_issue_mediator", "fact_issue_event"}, func(t func(string) string) string {
		mediated := "is_dispute = 1 AND ifNull(dispute_outcome, '') = 'mediated'"
		return "SELECT toDate(reported_at) AS day, street_id, community_id, grid_id, category_id, count(), countIf(state IN " + resolvedStates +
			"), countIf(state = 'closed'), sumIf(assumeNotNull(resolved_quantity), state IN " + resolvedStates + " AND resolved_quantity IS NOT NULL), " +
			"countIf(is_dispute = 1), countIf(" + mediated + "), countIf(" + mediated + " AND id IN (SELECT issue_id FROM " + t("fact_issue_mediator") +
			" WHERE is_deleted = 0 AND role = 'cadre')), countIf(urge_count > 0), countIf(supervised_at IS NOT NULL), countIf(extension_count > 0), " +
			"countIf(id IN (SELECT issue_id FROM " + t("fact_issue_event") + " WHERE is_deleted = 0 AND " + autoEscalation + ")) FROM " + t("fact_issue") +
			" WHERE is_deleted = 0 GROUP BY day, street_id, community_id, grid_id, category_id"
	}},
	{"sum_issue_item", []string{"fact_issue"}, func(t func(string) string) string {
		closed := "state = 'closed' AND closed_at IS NOT NULL"
		open := "state NOT IN " + resolvedStates + " AND due_at IS NOT NULL"
		return "SELECT toDate(reported_at), id, street_id, community_id, grid_id, if(" + closed +
			", (toInt64(assumeNotNull(closed_at)) - toInt64(reported_at)) / 3600, NULL), if(" + open + ", due_at, NULL), toUInt8(" + open +
			" AND warned_at IS NOT NULL) FROM " + t("fact_issue") + " WHERE is_deleted = 0 AND ((" + closed + ") OR (" + open + "))"
	}},
	{"sum_issue_resolved_day", []string{"fact_issue"}, func(t func(string) string) string {
		resolved, due := "assumeNotNull(resolved_at)", "assumeNotNull(due_at)"
		return "SELECT toDate(" + resolved + ") AS day, street_id, community_id, grid_id, category_id, countIf(" + resolved + " <= " + due +
			"), countIf(" + resolved + " > " + due + ") FROM " + t("fact_issue") + " WHERE is_deleted = 0 AND state IN " + resolvedStates +
			" AND resolved_at IS NOT NULL AND due_at IS NOT NULL GROUP BY day, street_id, community_id, grid_id, category_id"
	}},
	{"sum_issue_verdict_day", []string{"fact_issue_event", "fact_issue"}, func(t func(string) string) string {
		is := func(col, v string) string { return "countIf(ifNull(" + col + ", '') = '" + v + "')" }
		return "SELECT toDate(at) AS day, street_id, community_id, grid_id, " + is("verdict", "satisfied") + ", " + is("verdict", "unsatisfied") + ", " +
			is("verdict", "no_response") + ", " + is("verdict_channel", "resident") + ", " + is("verdict_channel", "phone") +
			", countIf(verdict_score IS NOT NULL), sum(ifNull(verdict_score, 0)) FROM " + t("fact_issue_event") +
			" WHERE is_deleted = 0 AND action = 'verdict' AND issue_id IN (SELECT id FROM " + t("fact_issue") + " WHERE is_deleted = 0)" +
			" GROUP BY day, street_id, community_id, grid_id"
	}},
	{"sum_issue_rework_day", []string{"fact_issue", "fact_issue_event"}, func(t func(string) string) string {
		return "SELECT toDate(assumeNotNull(resolved_at)) AS day, street_id, community_id, grid_id, count(), countIf(reopens > 0), sum(reopens) " +
			"FROM (SELECT id AS issue_id, resolved_at, street_id, community_id, grid_id FROM " + t("fact_issue") + " WHERE is_deleted = 0 AND state IN " +
			resolvedStates + " AND resolved_at IS NOT NULL) AS i ANY LEFT JOIN (SELECT issue_id, count() AS reopens FROM " + t("fact_issue_event") +
			" WHERE is_deleted = 0 AND " + reopening + " GROUP BY issue_id) AS r USING issue_id GROUP BY day, street_id, community_id, grid_id"
	}},
	{"sum_order_day", []string{"fact_service_order", "fact_order_event"}, func(t func(string) string) string {
		return "SELECT toDate(posted_at) AS day, street_id, community_id, grid_id, count(), countIf(claimed_at IS NOT NULL), " +
			"countIf(state IN ('completed', 'rated')), countIf(rating IS NOT NULL), sum(ifNull(rating, 0)), countIf(state = 'declined'), " +
			"countIf(id IN (SELECT order_id FROM " + t("fact_order_event") + " WHERE is_deleted = 0 AND action = 'release')), " +
			"countIf(unclaimed_flagged_at IS NOT NULL OR unfinished_flagged_at IS NOT NULL) FROM " + t("fact_service_order") +
			" WHERE is_deleted = 0 GROUP BY day, street_id, community_id, grid_id"
	}},
	{"sum_order_claim", []string{"fact_service_order"}, func(t func(string) string) string {
		return "SELECT toDate(posted_at), id, street_id, community_id, grid_id, (toInt64(assumeNotNull(claimed_at)) - toInt64(posted_at)) / 3600 FROM " +
			t("fact_service_order") + " WHERE is_deleted = 0 AND claimed_at IS NOT NULL"
	}},
	{"sum_service_day", []string{"fact_service_record"}, func(t func(string) string) string {
		return "SELECT served_on, street_id, community_id, ifNull(grid_id, 0), count(), sum(hours) FROM " + t("fact_service_record") +
			" WHERE is_deleted = 0 GROUP BY served_on, street_id, community_id, ifNull(grid_id, 0)"
	}},
	{"sum_rating", []string{"fact_year_rating", "role_party_member"}, func(t func(string) string) string {
		return "SELECT year, street_id, community_id, grade, unit_id, count() FROM (SELECT member_id, year, street_id, community_id, grade FROM " +
			t("fact_year_rating") + " WHERE is_deleted = 0) AS r ANY LEFT JOIN (SELECT id AS member_id, unit_id FROM " + t("role_party_member") +
			" WHERE is_deleted = 0) AS m USING member_id GROUP BY year, street_id, community_id, grade, unit_id"
	}},
	{"sum_rating_stage", []string{"fact_year_rating"}, func(t func(string) string) string {
		return "SELECT year, street_id, community_id, state, count() FROM " + t("fact_year_rating") +
			" WHERE is_deleted = 0 GROUP BY year, street_id, community_id, state"
	}},
	{"sum_activity", []string{"fact_activity", "fact_activity_participant"}, func(t func(string) string) string {
		return "SELECT day, id, kind, street_id, community, grid, intersection_id, people_served, participations FROM (SELECT id, toDate(starts_at) AS day, kind, " +
			"street_id, ifNull(community_id, 0) AS community, ifNull(grid_id, 0) AS grid, intersection_id, people_served FROM " + t("fact_activity") +
			" WHERE is_deleted = 0) AS a ANY LEFT JOIN (SELECT activity_id AS id, count() AS participations FROM " + t("fact_activity_participant") +
			" WHERE is_deleted = 0 GROUP BY activity_id) AS p USING id"
	}},
	{"sum_activity_member", []string{"fact_activity", "fact_activity_participant"}, func(t func(string) string) string {
		return "SELECT day, kind, street_id, community, grid, activity_id, person_key FROM (SELECT activity_id, person_key FROM " +
			t("fact_activity_participant") + " WHERE is_deleted = 0 AND role = 'party_member' GROUP BY activity_id, person_key) AS p " +
			"ALL INNER JOIN (SELECT id AS activity_id, toDate(starts_at) AS day, kind, street_id, ifNull(community_id, 0) AS community, " +
			"ifNull(grid_id, 0) AS grid FROM " + t("fact_activity") + " WHERE is_deleted = 0) AS a USING activity_id"
	}},
	{"sum_meeting_day", []string{"fact_joint_meeting", "fact_meeting_matter"}, func(t func(string) string) string {
		return "SELECT held_on, street_id, community_id, count(), sum(matters), sum(major), sum(mediated) FROM (SELECT id AS meeting_id, held_on, " +
			"street_id, community_id FROM " + t("fact_joint_meeting") + " WHERE is_deleted = 0 AND " + meetingHeld + ") AS jm ANY LEFT JOIN (SELECT meeting_id, count() AS matters, " +
			"countIf(kind = 'major_matter') AS major, countIf(kind = 'dispute' AND outcome = 'mediated') AS mediated FROM " + t("fact_meeting_matter") +
			" WHERE is_deleted = 0 GROUP BY meeting_id) AS mm USING meeting_id GROUP BY held_on, street_id, community_id"
	}},
	{"sum_mediation_member", []string{"role_mediation_room_member", "role_party_member"}, func(t func(string) string) string {
		return "SELECT street_id, community_id, member_id, unit_id FROM (SELECT street_id, community_id, member_id FROM " + t("role_mediation_room_member") +
			" WHERE is_deleted = 0) AS r ANY LEFT JOIN (SELECT id AS member_id, unit_id FROM " + t("role_party_member") +
			" WHERE is_deleted = 0) AS m USING member_id GROUP BY street_id, community_id, member_id, unit_id"
	}},
	{"sum_work_log_day", []string{"fact_work_log"}, func(t func(string) string) string {
		return "SELECT toDate(logged_at) AS day, street_id, community_id, grid_id, kind, count(), sum(people_served), sum(hours) FROM " +
			t("fact_work_log") + " WHERE is_deleted = 0 GROUP BY day, street_id, community_id, grid_id, kind"
	}},
	{"sum_patrol_day", []string{"fact_patrol", "fact_patrol_finding"}, func(t func(string) string) string {
		return "SELECT toDate(patrolled_at) AS day, street_id, community_id, grid_id, count(), sum(found), sum(raised) FROM (SELECT id, patrolled_at, " +
			"street_id, community_id, grid_id FROM " + t("fact_patrol") + " WHERE is_deleted = 0) AS p ANY LEFT JOIN (SELECT patrol_id AS id, count() AS found, " +
			"countIf(issue_id IS NOT NULL) AS raised FROM " + t("fact_patrol_finding") + " WHERE is_deleted = 0 GROUP BY patrol_id) AS f USING id " +
			"GROUP BY day, street_id, community_id, grid_id"
	}},
	{"sum_police_duty_day", []string{"fact_activity", "fact_activity_participant"}, func(t func(string) string) string {
		return "SELECT toDate(starts_at) AS day, street_id, community, grid, kind, count(), sum(participations), sum(hours) FROM (SELECT id, starts_at, " +
			"street_id, ifNull(community_id, 0) AS community, ifNull(grid_id, 0) AS grid, kind FROM " + t("fact_activity") + " WHERE is_deleted = 0 AND kind IN " +
			policeDuties + ") AS a ANY LEFT JOIN (SELECT activity_id AS id, count() AS participations, sum(hours) AS hours FROM " +
			t("fact_activity_participant") + " WHERE is_deleted = 0 GROUP BY activity_id) AS p USING id GROUP BY day, street_id, community, grid, kind"
	}},
	{"sum_standing", []string{"dim_community", "dim_grid", "dim_building", "dim_compound", "dim_unit", "dim_social_organisation",
		"dim_venture_project", "role_cadre", "role_grid_assignment", "role_building_appointment", "role_red_steward",
		"role_governance_instructor", "fact_pairing"}, standingSelect},
}

// standingSelect gives the rows of sum_standing: per measure, the live rows of its source that
// count towards it, with their place (street, community, grid: 0 where the source keeps none) and
// the item counted. DISTINCT makes the rows unique where many rows name the same cadre or unit.
func standingSelect(t func(string) string) string {
	const (
		grid      = "street_id, community_id, grid_id"
		community = "street_id, community_id, toUInt64(0)"
	)
	in := func(col, sel, table, cond string) string {
		return col + " IN (SELECT " + sel + " FROM " + t(table) + " WHERE is_deleted = 0 AND " + cond + ")"
	}
	current := func(col, sel, table, role string) string {
		return in(col, sel, table, "role = '"+role+"' AND ended_on IS NULL")
	}
	rows := func(measure, table, place, item, cond string) string {
		return "SELECT DISTINCT '" + measure + "', " + place + ", " + item + " FROM " + t(table) + " WHERE is_deleted = 0 AND " + cond
	}
	return strings.Join([]string{
		rows("grids", "dim_grid", "street_id, community_id, id", "id", "1"),
		rows("grids_with_cadre", "dim_grid", "street_id, community_id, id", "id", current("id", "grid_id", "role_grid_assignment", "liaison")),
		rows("grids_with_instructor", "dim_grid", "street_id, community_id, id", "id", current("id", "grid_id", "role_grid_assignment", "instructor")),
		rows("grids_with_leader", "dim_grid", "street_id, community_id, id", "id", current("id", "grid_id", "role_grid_assignment", "grid_leader")),
		rows("grid_worker_posts", "role_grid_assignment", grid, "id", "role = 'grid_worker' AND ended_on IS NULL"),
		rows("buildings", "dim_building", grid, "id", "1"),
		rows("buildings_with_leader", "dim_building", grid, "id", current("id", "building_id", "role_building_appointment", "building_leader")),
		rows("communities", "dim_community", "street_id, id, toUInt64(0)", "id", "1"),
		rows("communities_with_party_org", "dim_community", "street_id, id, toUInt64(0)", "id", "has_party_org = 1"),
		rows("grid_instructors", "role_grid_assignment", grid, "cadre_id", "role = 'instructor' AND ended_on IS NULL AND "+
			in("cadre_id", "id", "role_cadre", "is_leader = 1")),
		rows("liaison_cadres", "role_grid_assignment", grid, "cadre_id", "role = 'liaison' AND ended_on IS NULL AND "+
			in("cadre_id", "id", "role_cadre", "kind = 'street_cadre'")),
		rows("building_leaders", "role_building_appointment", grid, "id", "role = 'building_leader' AND ended_on IS NULL"),
		rows("owner_representatives", "role_building_appointment", grid, "id", "role = 'owner_representative' AND ended_on IS NULL"),
		rows("market_managed_compounds", "dim_compound", community, "id", "market_managed = 1"),
		rows("red_stewards", "role_red_steward", grid, "id", "ended_on IS NULL"),
		rows("governance_instructors", "role_governance_instructor", community, "id", "ended_on IS NULL"),
		// Current co-building partners by kind: the measure partners:<kind>.
		"SELECT DISTINCT concat('partners:', kind), " + community + ", id FROM " + t("role_partner") + " WHERE is_deleted = 0 AND ended_on IS NULL",
		rows("paired_civilised_units", "fact_pairing", community, "unit_id", "kind = 'practice_station' AND ended_on IS NULL AND "+
			in("unit_id", "id", "dim_unit", "civilised = 1")),
		rows("social_org_party_orgs", "dim_social_organisation", "ifNull(street_id, 0), toUInt64(0), toUInt64(0)", "id", "has_party_org = 1"),
		rows("venture_projects", "dim_venture_project", community, "id", "1"),
	}, " UNION ALL ")
}

// SummaryNamed finds a summary by its table.
func SummaryNamed(table string) (Summary, bool) {
	for _, s := range Summaries {
		if s.Table == table {
			return s, true
		}
	}
	return Summary{}, false
}

// definition identifies the SQL that builds s, so that a release that changes it rebuilds
// the summary even when its sources did not change.
func (s Summary) definition() string {
	h := fnv.New32a()
	h.Write([]byte(s.Select(func(t string) string { return t })))
	return strconv.FormatUint(uint64(h.Sum32()), 16)
}

// insertSQL fills table (the summary or its staging copy) in database db.
func (s Summary) insertSQL(db, table string) (string, error) {
	m, err := Table(s.Table)
	if err != nil {
		return "", err
	}
	names := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		names[i] = Quote(c.Name)
	}
	t := func(src string) string { return Qualified(db, src) + " FINAL" }
	return "INSERT INTO " + Qualified(db, table) + " (" + strings.Join(names, ", ") + ") " + s.Select(t), nil
}

// Rebuild builds s whole from its sources into a staging table and swaps it in with one
// RENAME: readers see the old summary or the new one, never a part.
func (s Summary) Rebuild(ctx context.Context, e Engine, db string) error {
	staging, old := s.Table+"__build", s.Table+"__old"
	insert, err := s.insertSQL(db, staging)
	if err != nil {
		return err
	}
	stmts := append(StagingStatements(db, s.Table, staging), insert)
	stmts = append(stmts, SwapStatements(db, s.Table, staging, old)...)
	for _, q := range stmts {
		if err := e.Exec(ctx, q); err != nil {
			return fmt.Errorf("rebuild %s: %w", s.Table, err)
		}
	}
	return nil
}

// SourceCheckpoint is what the ETL knows of a source table: the snapshot its copy is fresh
// as of, and how many rows it has loaded into it so far (which grows whenever the copy
// changes).
type SourceCheckpoint struct {
	SnapshotAt time.Time
	RowsTotal  int64
}

// SummaryState is the row of sum_state for one summary.
type SummaryState struct {
	Summary  string
	Snapshot time.Time // the snapshot the summary reflects
	Sources  string    // signature of the sources (and definition) it was built from
	BuiltAt  time.Time
}

// SummaryStates reads sum_state.
func SummaryStates(ctx context.Context, e Engine, db string) (map[string]SummaryState, error) {
	rows, err := e.Query(ctx, summaryStatesSQL(db))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", summaryStateTable, err)
	}
	return parseSummaryStates(rows), nil
}

func summaryStatesSQL(db string) string {
	return "SELECT summary, toString(snapshot_us), sources, toString(toUnixTimestamp(built_at)) FROM " + Qualified(db, summaryStateTable) + " FINAL"
}

func parseSummaryStates(rows [][]string) map[string]SummaryState {
	out := map[string]SummaryState{}
	for _, r := range rows {
		us, _ := strconv.ParseInt(r[1], 10, 64)
		built, _ := strconv.ParseInt(r[3], 10, 64)
		out[r[0]] = SummaryState{Summary: r[0], Snapshot: time.UnixMicro(us).UTC(), Sources: r[2], BuiltAt: time.Unix(built, 0).UTC()}
	}
	return out
}

// recordSummary stores st in sum_state; the highest version wins.
func recordSummary(ctx context.Context, e Engine, db string, st SummaryState) error {
	version := time.Now().UnixMicro()
	q := fmt.Sprintf("INSERT INTO %s (summary, snapshot_us, snapshot_at, sources, built_at, version) SELECT %s, %d, toDateTime(%d), %s, toDateTime(%d), %d",
		Qualified(db, summaryStateTable), QuoteString(st.Summary), st.Snapshot.UnixMicro(), st.Snapshot.Unix(), QuoteString(st.Sources),
		st.BuiltAt.Unix(), version)
	if err := e.Exec(ctx, q); err != nil {
		return fmt.Errorf("record %s in %s: %w", st.Summary, summaryStateTable, err)
	}
	return nil
}

// signature names what a summary built now would reflect: its definition and the loaded row
// totals of its sources. ok is false when a source has never been loaded.
func (s Summary) signature(sources map[string]SourceCheckpoint) (sig string, snapshot time.Time, ok bool) {
	parts := make([]string, 0, len(s.Sources)+1)
	names := append([]string(nil), s.Sources...)
	sort.Strings(names)
	for i, n := range names {
		cp, found := sources[n]
		if !found || cp.SnapshotAt.IsZero() {
			return "", time.Time{}, false
		}
		if i == 0 || cp.SnapshotAt.Before(snapshot) {
			snapshot = cp.SnapshotAt
		}
		parts = append(parts, n+"="+strconv.FormatInt(cp.RowsTotal, 10))
	}
	parts = append(parts, "sql="+s.definition())
	return strings.Join(parts, ","), snapshot, true
}

// RefreshResult says what RefreshSummaries did.
type RefreshResult struct {
	Rebuilt  []string // summaries built again from their sources
	Advanced []string // summaries whose sources did not change: only their snapshot moved on
	Skipped  []string // summaries with a source never loaded: left as they were
}

// RefreshSummaries brings every summary up to the checkpoints of its sources (the ETL's, read
// after a successful run): it rebuilds a summary when its sources' loaded row totals (or its
// definition) differ from those it was built from, and then records the oldest snapshot of
// its sources as the one it reflects. A summary whose sources did not change reflects their
// newer snapshot as it is, so only its record moves on. A summary is recorded only after its
// swap, so sum_state never claims fresher data than the summary holds; a rebuild that fails
// leaves the old record, and the next refresh sees the difference and tries again.
func RefreshSummaries(ctx context.Context, e Engine, db string, sources map[string]SourceCheckpoint) (RefreshResult, error) {
	var res RefreshResult
	states, err := SummaryStates(ctx, e, db)
	if err != nil {
		return res, err
	}
	for _, s := range Summaries {
		sig, snap, ok := s.signature(sources)
		if !ok {
			res.Skipped = append(res.Skipped, s.Table)
			continue
		}
		st, had := states[s.Table]
		switch {
		case !had || st.Sources != sig:
			if err := s.Rebuild(ctx, e, db); err != nil {
				return res, err
			}
			st = SummaryState{Summary: s.Table, Snapshot: snap, Sources: sig, BuiltAt: time.Now()}
			res.Rebuilt = append(res.Rebuilt, s.Table)
		case snap.After(st.Snapshot):
			st.Snapshot = snap
			res.Advanced = append(res.Advanced, s.Table)
		default:
			continue
		}
		if err := recordSummary(ctx, e, db, st); err != nil {
			return res, err
		}
	}
	return res, nil
}

// BuildSummaries rebuilds every summary and records it as reflecting snapshot: for a warehouse
// written by other means than the ETL (tests), whose contents are known to be as of snapshot.
func BuildSummaries(ctx context.Context, e Engine, db string, snapshot time.Time) error {
	for _, s := range Summaries {
		if err := s.Rebuild(ctx, e, db); err != nil {
			return err
		}
		if err := recordSummary(ctx, e, db, SummaryState{Summary: s.Table, Snapshot: snapshot, Sources: "built directly", BuiltAt: time.Now()}); err != nil {
			return err
		}
	}
	return nil
}

// summariesAsOf is the oldest snapshot among the summaries: WAREHOUSE_UNAVAILABLE while one of
// them has never been built.
func summariesAsOf(states map[string]SummaryState) (time.Time, bool) {
	var at time.Time
	for i, s := range Summaries {
		st, ok := states[s.Table]
		if !ok {
			return time.Time{}, false
		}
		if i == 0 || st.Snapshot.Before(at) {
			at = st.Snapshot
		}
	}
	return at, true
}

// IsSummary tells whether a warehouse table is a summary (or sum_state): derived from the
// others, never loaded by the ETL, not versioned.
func IsSummary(table string) bool { return strings.HasPrefix(table, "sum_") }
