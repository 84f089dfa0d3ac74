package warehouse

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// A statistician reads every warehouse table and can join all the rows about one person: the
// rows that carry their pseudonymous key (person_key, reporter_key...), and the rows that name
// one of their roles (member_id names a role_party_member row, cadre_id a role_cadre row). So
// what could single a person out is judged over everything joinable to one person, and what is
// too fine is coarsened before it leaves Postgres (etl.Tables computes the coarser value):
//
//   - Quasi-identifiers are the columns that describe a person rather than what they do: gender,
//     birth, where they live, their household, their party membership. Someone who knows a
//     neighbour knows these. Every combination of them joinable to one person describes at least
//     MinGroupSize people (the warehouse tests count it on the demo city).
//   - Everything else on a row about people is a record: what they did or the role they serve in,
//     where and when (issues, orders, check-ins, ratings, hours, a cadre's post, a volunteer's
//     team). These are what statisticians study; a quasi-identifier must not single out whose
//     they are.
//   - No row joinable to a person names a building (PlaceBelowGrid): a building holds a few
//     households.

// MinGroupSize is the fewest people that any combination of quasi-identifiers joinable to one
// person may describe (k-anonymity).
const MinGroupSize = 5

// PersonTable classifies the columns of a table about people, or joined to them. Columns that
// are not listed are classified by name: bookkeeping (id, created_at, updated_at, version,
// is_deleted) and links to a person (a pseudonymous *_key, or a column whose comment says
// "join role_…").
type PersonTable struct {
	Table string
	// Subject is the column naming the person each row describes, in the tables whose rows are
	// about one person (dim_person and the role_* tables): their key, or the row's own id when
	// it has none, or the role row it belongs to (cadre_id). Empty for facts and summaries,
	// whose rows are about something people did.
	Subject string
	// Quasi are the row's quasi-identifiers; only a table with a Subject has them.
	Quasi []string
	// Records are its other columns.
	Records []string
}

// places are the place columns most rows carry.
var places = []string{"street_id", "community_id", "grid_id"}

// names lists column names given as space-separated words or as slices.
func names(words ...any) []string {
	var out []string
	for _, w := range words {
		switch x := w.(type) {
		case string:
			out = append(out, strings.Fields(x)...)
		case []string:
			out = append(out, x...)
		}
	}
	return out
}

// PersonTables classifies every warehouse table about people or joined to them; a table or
// column missing here fails the warehouse tests (PrivacyProblems).
var PersonTables = []PersonTable{
	{Table: "dim_person", Subject: "person_key", Quasi: names("gender birth_cohort community_id")},
	// Residents: which person a record is about stays in Postgres, so nothing joins to it.
	{Table: "role_resident", Subject: "id", Quasi: names(places, "household_size is_party_member"), Records: names("collected_at moved_in_on moved_out_on")},
	// Party members, named by member_id in the facts: their street and community are where they
	// live; their grid is where the community assigns them on check-in. Their unit, profession
	// and specialty are what the organisation department studies (check-ins and ratings by unit):
	// records, not counted as quasi-identifiers.
	{Table: "role_party_member", Subject: "id", Quasi: names("street_id community_id"), Records: names("grid_id unit_id profession specialty")},
	{Table: "role_building_appointment", Subject: "id", Quasi: names(places, "building_id"), Records: names("role appointed_on ended_on")},
	// The roles people serve in: where they serve is the record, not where they live.
	{Table: "role_cadre", Subject: "person_key", Records: names("kind street_id community_id title is_leader")},
	{Table: "role_grid_assignment", Subject: "cadre_id", Records: names(places, "role started_on ended_on")},
	{Table: "role_mediation_room_member", Subject: "member_id", Records: names("street_id community_id facility_id joined_on")},
	{Table: "role_red_steward", Subject: "person_key", Records: names(places, "selected_on ended_on")},
	{Table: "role_governance_instructor", Subject: "person_key", Records: names("street_id community_id former_post appointed_on ended_on")},
	{Table: "role_partner", Subject: "person_key", Records: names("street_id community_id kind organisation started_on ended_on")},
	{Table: "fact_volunteer", Records: names("team_id", places, "registered_on skills")},
	{Table: "fact_duty_shift", Records: names("street_id community_id facility_id on_date cancelled_on")},
	{Table: "fact_checkin", Records: names(places, "state submitted_at decided_at ended_at transferred_to transferred_from",
		"reverified_year reverified_at")},
	{Table: "fact_issue", Records: names(places, "category_id reporter_role state handler_kind handler_unit_id escalation_level",
		"due_at urge_count last_urged_at warned_at supervised_at supervision_due_at extension_count",
		"verdict verdict_score verdict_channel verdict_at reopen_count",
		"reported_at resolved_at closed_at resolved_quantity is_dispute dispute_outcome")},
	{Table: "fact_issue_event", Records: names("issue_id", places, "actor_role action from_state to_state verdict verdict_score verdict_channel at")},
	{Table: "fact_issue_mediator", Records: names("issue_id", places, "role")},
	{Table: "fact_work_log", Records: names(places, "kind logged_at people_served hours")},
	{Table: "fact_patrol", Records: names(places, "patrolled_at")},
	{Table: "fact_patrol_finding", Records: names("patrol_id", places, "category issue_id raised_at")},
	{Table: "fact_service_order", Records: names(places, "category_id state posted_at published_at claimed_at completed_at hours rating rated_at",
		"claim_due_at complete_due_at unclaimed_flagged_at unfinished_flagged_at")},
	{Table: "fact_order_event", Records: names("order_id", places, "actor_role action from_state to_state at")},
	{Table: "fact_service_record", Records: names(places, "order_id served_on hours")},
	{Table: "fact_year_rating", Records: names("street_id community_id year grade state rated_at")},
	{Table: "fact_activity_participant", Records: names("activity_id", places, "role hours")},
	{Table: "sum_activity_member", Records: names("started_on kind", places, "activity_id")},
	{Table: "sum_mediation_member", Records: names("street_id community_id unit_id")},
}

var bookkeeping = map[string]bool{"id": true, "created_at": true, "updated_at": true, "version": true, "is_deleted": true}

var roleRefRe = regexp.MustCompile(`join (role_\w+)`)

// RoleRef is the role table a column names ("party member; join role_party_member.id"), or "".
func RoleRef(c Column) string {
	if m := roleRefRe.FindStringSubmatch(c.Comment); m != nil {
		return m[1]
	}
	return ""
}

// IsLink says whether a column joins its row to a person: a pseudonymous key, or a role row.
func IsLink(c Column) bool { return IsKey(c.Name) || RoleRef(c) != "" }

// PlaceBelowGrid says whether a column places a row below the grid (a building).
func PlaceBelowGrid(c Column) bool {
	return c.Name == "building_id" || strings.Contains(c.Comment, "join dim_building")
}

// aboutPeople says whether a table's rows each describe one person.
func aboutPeople(table string) bool {
	return table == "dim_person" || strings.HasPrefix(table, "role_")
}

// PrivacyProblems checks PersonTables against the warehouse DDL (CheckPrivacy).
func PrivacyProblems() ([]string, error) {
	tables, err := Tables()
	if err != nil {
		return nil, err
	}
	return CheckPrivacy(tables, PersonTables), nil
}

// CheckPrivacy checks a classification against tables: every table about people or joined to
// them is classified, every column of it exactly once, names exist, quasi-identifiers sit only
// on rows about one person, and no row joinable to a person is placed below the grid. It
// returns what is wrong, nothing when all is well.
func CheckPrivacy(tables []Migration, classes []PersonTable) []string {
	byName := byTable(tables)
	var out []string
	classified := map[string]bool{}
	for _, pt := range classes {
		t, ok := byName[pt.Table]
		if !ok {
			out = append(out, fmt.Sprintf("%s: classified, but the warehouse has no such table", pt.Table))
			continue
		}
		classified[pt.Table] = true
		out = append(out, pt.problems(t, byName)...)
	}
	for _, t := range tables {
		if classified[t.Table] {
			continue
		}
		for _, c := range t.Columns {
			if IsLink(c) || aboutPeople(t.Table) {
				out = append(out, fmt.Sprintf("%s: joined to people (%s) but not in warehouse.PersonTables", t.Table, c.Name))
				break
			}
		}
	}
	return out
}

func (pt PersonTable) problems(t Migration, byName map[string]Migration) []string {
	var out []string
	seen := map[string]string{}
	note := func(name, as string) {
		if prev, ok := seen[name]; ok {
			out = append(out, fmt.Sprintf("%s.%s: classified twice (%s and %s)", pt.Table, name, prev, as))
		}
		seen[name] = as
	}
	for _, n := range pt.Quasi {
		note(n, "quasi-identifier")
	}
	for _, n := range pt.Records {
		note(n, "record")
	}
	has := map[string]bool{}
	linked := false
	for _, c := range t.Columns {
		has[c.Name] = true
		switch {
		case IsLink(c):
			linked = true
			if _, ok := seen[c.Name]; ok {
				out = append(out, fmt.Sprintf("%s.%s: a link to a person, classified by its name: remove it from PersonTables", pt.Table, c.Name))
			}
		case bookkeeping[c.Name]:
		case seen[c.Name] == "":
			out = append(out, fmt.Sprintf("%s.%s: not classified: add it to Quasi or Records in warehouse.PersonTables", pt.Table, c.Name))
		}
	}
	for n := range seen {
		if !has[n] {
			out = append(out, fmt.Sprintf("%s.%s: classified, but the table has no such column", pt.Table, n))
		}
	}
	switch {
	case aboutPeople(pt.Table) && pt.Subject == "":
		out = append(out, fmt.Sprintf("%s: its rows are about people: name their Subject", pt.Table))
	case pt.Subject != "" && !has[pt.Subject]:
		out = append(out, fmt.Sprintf("%s: Subject %s is not a column", pt.Table, pt.Subject))
	case pt.Subject == "" && len(pt.Quasi) > 0:
		out = append(out, fmt.Sprintf("%s: quasi-identifiers describe the person a row is about: name its Subject", pt.Table))
	case pt.Subject == "id" && hasKey(t):
		out = append(out, fmt.Sprintf("%s: its rows carry a person key: make it their Subject", pt.Table))
	}
	if linked || pt.joinable(byName) {
		for _, c := range t.Columns {
			if PlaceBelowGrid(c) {
				out = append(out, fmt.Sprintf("%s.%s: a place below the grid on a row joinable to a person", pt.Table, c.Name))
			}
		}
	}
	return out
}

func hasKey(t Migration) bool {
	for _, c := range t.Columns {
		if IsKey(c.Name) {
			return true
		}
	}
	return false
}

// joinable says whether the person a row is about can be joined to other rows: through a key,
// a role reference, or other tables naming the row's own id.
func (pt PersonTable) joinable(byName map[string]Migration) bool {
	switch {
	case pt.Subject == "":
		return false
	case pt.Subject != "id":
		return true
	}
	for _, t := range byName {
		for _, c := range t.Columns {
			if RoleRef(c) == pt.Table {
				return true
			}
		}
	}
	return false
}

// GroupSizeQuery counts, in database db, how many people share each combination of the
// quasi-identifiers joinable to one person, and returns one row: the smallest group, the
// number of people and of groups, and how many groups are smaller than MinGroupSize (all as
// text). A person's combination is the set of their quasi-identifier values across every
// joinable row about them; any other combination (fewer columns) merges these groups, so the
// smallest group here bounds them all. Persons are the person keys and the role rows other
// tables name (a party member by member_id); rows nothing can join to are left out. It runs
// on ClickHouse 18.16 (one JOIN per SELECT) and current releases.
func GroupSizeQuery(db string) (string, error) {
	tables, err := Tables()
	if err != nil {
		return "", err
	}
	return GroupSizeQueryOf(db, tables, PersonTables)
}

// GroupSizeQueryOf is GroupSizeQuery for the given tables and classification.
func GroupSizeQueryOf(db string, tables []Migration, classes []PersonTable) (string, error) {
	byName := byTable(tables)
	var parts []string
	for _, pt := range classes {
		if len(pt.Quasi) == 0 || !pt.joinable(byName) {
			continue
		}
		part, err := pt.signatureSelect(db, byName)
		if err != nil {
			return "", err
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("no quasi-identifiers joinable to a person")
	}
	return "SELECT toString(min(people)), toString(sum(people)), toString(count()), toString(countIf(people < " +
		fmt.Sprint(MinGroupSize) + ")) FROM (SELECT signature, count() AS people FROM (SELECT person, " +
		"arraySort(groupUniqArray(qi)) AS signature FROM (" + strings.Join(parts, " UNION ALL ") +
		") GROUP BY person) GROUP BY signature)", nil
}

// signatureSelect gives (person, qi) for every live row of the table: who the row is
// about, as one text for every table, and its quasi-identifiers.
func (pt PersonTable) signatureSelect(db string, byName map[string]Migration) (string, error) {
	values := []string{QuoteString(pt.Table)}
	for _, q := range pt.Quasi {
		values = append(values, QuoteString(" "+q+"="), "ifNull(toString("+Quote(q)+"), 'NULL')")
	}
	from := Qualified(db, pt.Table) + " FINAL"
	var person string
	subject := Column{Name: pt.Subject}
	for _, c := range byName[pt.Table].Columns {
		if c.Name == pt.Subject {
			subject = c
		}
	}
	role := RoleRef(subject)
	switch {
	case IsKey(pt.Subject):
		person = "concat('person ', toString(" + Quote(pt.Subject) + "))"
	case pt.Subject == "id":
		person = "concat(" + QuoteString(pt.Table+" ") + ", toString(id))"
	case role != "" && hasKey(byName[role]):
		// The role row carries the person's key: join it (one JOIN, as 18.16 allows; ALL, since
		// current releases' ANY INNER JOIN would keep one row per key of the left side too).
		from = "(SELECT " + Quote(pt.Subject) + ", " + strings.Join(quoteAll(pt.Quasi), ", ") + " FROM " + from +
			" WHERE is_deleted = 0) AS about ALL INNER JOIN (SELECT id AS " + Quote(pt.Subject) + ", person_key AS subject_key FROM " +
			Qualified(db, role) + " FINAL WHERE is_deleted = 0) AS subject USING " + Quote(pt.Subject)
		return "SELECT concat('person ', toString(subject_key)) AS person, concat(" + strings.Join(values, ", ") +
			") AS qi FROM " + from, nil
	case role != "":
		person = "concat(" + QuoteString(role+" ") + ", toString(" + Quote(pt.Subject) + "))"
	default:
		return "", fmt.Errorf("%s: Subject %s is neither a key, id, nor a role reference", pt.Table, pt.Subject)
	}
	return "SELECT " + person + " AS person, concat(" + strings.Join(values, ", ") + ") AS qi FROM " + from +
		" WHERE is_deleted = 0", nil
}

// byTable indexes tables by name.
func byTable(tables []Migration) map[string]Migration {
	out := make(map[string]Migration, len(tables))
	for _, t := range tables {
		out[t.Table] = t
	}
	return out
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = Quote(n)
	}
	return out
}

// writePrivacy renders the dictionary's privacy section from PersonTables.
func writePrivacy(b *bytes.Buffer) error {
	tables, err := Tables()
	if err != nil {
		return err
	}
	byName := byTable(tables)
	fmt.Fprintf(b, privacyIntro, MinGroupSize)
	b.WriteString("\n| table | quasi-identifiers | joinable through |\n|---|---|---|\n")
	for _, pt := range PersonTables {
		if len(pt.Quasi) == 0 {
			continue
		}
		through := "nothing: no other row names it"
		if pt.joinable(byName) {
			var refs []string
			for _, t := range tables {
				for _, c := range t.Columns {
					if RoleRef(c) == pt.Table {
						refs = append(refs, "`"+t.Table+"."+c.Name+"`")
					}
				}
			}
			sort.Strings(refs)
			through = "`" + pt.Subject + "`"
			if pt.Subject == "id" {
				through = strings.Join(refs, ", ")
			}
		}
		fmt.Fprintf(b, "| `%s` | `%s` | %s |\n", pt.Table, strings.Join(pt.Quasi, "`, `"), through)
	}
	b.WriteString(privacyOutro)
	return nil
}

const privacyIntro = `
## Privacy

People appear only as pseudonymous keys, and what could single one out is coarsened before it
leaves Postgres. The quasi-identifiers are the columns that describe a person rather than what
they do: gender, birth, where they live, their household, their party membership. Every
combination of them that can be joined to one person describes at least %d people (the warehouse
tests count it on the demo city):

- ` + "`dim_person`" + ` has the gender, the five-year birth cohort (` + "`birth_cohort`" + `: 1985 for people born 1985 to
  1989) and the community of residence, which gives the street. The year of birth and the grid and
  building of residence stay in Postgres.
- No row that carries a person key or names a party member or cadre has a building: issues and
  service orders have their grid.
- Resident records (` + "`role_resident`" + `) and building appointments (` + "`role_building_appointment`" + `) name no
  person; party members (` + "`role_party_member`" + `) are named by ` + "`id`" + ` (` + "`member_id`" + ` in the facts) and
  carry no person key, building or year of joining.
`

const privacyOutro = `
Everything else on a row about people is a record (what they did, or the role they serve in,
where and when) and is not coarsened: the place of an issue, an order or an activity, a cadre's
post, a volunteer's community and team, a party member's grid, unit and profession. These are
not counted above, and some narrow a search (an order is posted at home; few members of one unit
live in one community): use them for statistics, never to look for someone.
`
