package main

import (
	"fmt"
	"strings"
	"time"

	"gridgov/auth"
	"gridgov/gid"
	"gridgov/loadgen"
)

// The request classes: what each asks, written against schema/graphql.

const consoleQuery = `query Console($grid: ID!) {
  issues(first: 50, filter: {place: {gridId: $grid}}, orderBy: {field: REPORTED_AT, direction: DESC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id title state reportedAt dueAt overdue
      grid { name } reporter { name } handler { name }
      events(last: 3) { action toState at actor { name } } } } } }`

const membersQuery = `query PartyMembers($community: ID!) {
  partyMembers(first: 50, filter: {place: {communityId: $community}}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name profession unit { name } grid { name } checkin { state }
      ledger(last: 5) { servedOn hours content order { title } } } } } }`

const feedQuery = `query OrderFeed($before: DateTime!) {
  serviceOrders(first: 50, filter: {posted: {to: $before}}) {
    pageInfo { hasNextPage endCursor }
    edges { node { id title state postedAt hours category { name } grid { name } claimedBy { name } } } } }`

const profileQuery = `query Profile($id: ID!) {
  node(id: $id) { ... on PartyMember { id name profession specialty
    unit { name } community { name } grid { name } checkin { state }
    serviceTotals { records hours }
    ledger(last: 20) { servedOn hours content order { title } }
    ratings { year grade } } } }`

const rosterQuery = `query Roster($grid: ID!) {
  gridRoster(gridId: $grid) { name unit { name } building { number }
    member { id profession specialty checkin { state } } } }`

const ledgerQuery = `query Ledger($grid: ID!, $year: Int!, $quarter: Int!) {
  gridLedger(gridId: $grid, year: $year, quarter: $quarter) { grid { name } year quarter totalHours
    entries { name hours member { unit { name } } records { servedOn hours content order { title } } } } }`

const reviewQuery = `query Review($community: ID!, $month: String!) {
  monthlyReview(communityId: $community, month: $month) { community { name } month
    reportedCount resolvedCount closedCount openCount overdueCount
    openIssues(first: 20) { edges { node { id title state reportedAt dueAt overdue grid { name } handler { name } } } } } }`

const claimQuery = `mutation Claim($in: OrderActionInput!) {
  claimOrder(input: $in) { id state version claimedAt claimedBy { name } } }`

// A class is one kind of request the benchmark measures.
type class struct {
	id   string // as -classes names it
	name string // as the tables name it
	// request gives the i-th request of a run (i counts from 0 across all clients).
	request func(i int) loadgen.Request
	// keys names the pgbench variables that stand for the i-th request's own ids in its
	// replay (a claim's order); nil for reads, whose replay repeats the captured ids.
	keys func(i int) loadgen.Keys
	// check judges an answer's data: each class must find what it asks for.
	check func(data map[string]any) error
	// distinct is how many different requests it rotates over; all are captured and
	// replayed, so the API and its replays do the same mix of work.
	distinct int
	// claims is the supply of orders of the claim class.
	claims *claims
}

// classIDs lists the classes in the order they run (the claim last: it writes).
var classIDs = []string{"console", "members", "feed", "profile", "roster", "ledger", "review", "claim"}

// newClasses builds every class on the fixtures, each read rotating over at most samples
// ids; admin is a city administrator's token.
func newClasses(f fixtures, admin string, keys auth.Keys, samples int) map[string]*class {
	distinct := map[string]int{"console": len(f.issueGrids), "members": len(f.communities), "feed": len(f.feedBefore),
		"profile": len(f.members), "roster": len(f.rosterGrids), "ledger": len(f.ledgers), "review": len(f.reviews)}
	read := func(id, name, query string, vars func(i int) map[string]any, check func(map[string]any) error) *class {
		n := min(distinct[id], samples)
		return &class{id: id, name: name, check: check, distinct: n, request: func(i int) loadgen.Request {
			return loadgen.Request{Query: query, Token: admin, Variables: vars(i % n)}
		}}
	}
	cl := &claims{keys: keys}
	classes := []*class{
		read("console", "console page", consoleQuery, func(i int) map[string]any {
			return map[string]any{"grid": gid.Encode("Grid", f.issueGrids[i])}
		}, nonEmpty("issues", "edges")),
		read("members", "party members page", membersQuery, func(i int) map[string]any {
			return map[string]any{"community": gid.Encode("Community", f.communities[i])}
		}, all(nonEmpty("partyMembers", "edges"), some([]string{"partyMembers", "edges"}, "node", "ledger"))),
		read("feed", "order feed", feedQuery, func(i int) map[string]any {
			return map[string]any{"before": f.feedBefore[i].Format(time.RFC3339)}
		}, all(length(50, "serviceOrders", "edges"), some([]string{"serviceOrders", "edges"}, "node", "claimedBy"))),
		read("profile", "member by id", profileQuery, func(i int) map[string]any {
			return map[string]any{"id": gid.Encode("PartyMember", f.members[i])}
		}, all(nonEmpty("node", "name"), nonEmpty("node", "ledger"))),
		read("roster", "grid roster", rosterQuery, func(i int) map[string]any {
			return map[string]any{"grid": gid.Encode("Grid", f.rosterGrids[i])}
		}, nonEmpty("gridRoster")),
		read("ledger", "quarterly ledger", ledgerQuery, func(i int) map[string]any {
			k := f.ledgers[i]
			return map[string]any{"grid": gid.Encode("Grid", k.grid), "year": k.year, "quarter": k.quarter}
		}, nonEmpty("gridLedger", "entries")),
		read("review", "monthly review", reviewQuery, func(i int) map[string]any {
			k := f.reviews[i]
			return map[string]any{"community": gid.Encode("Community", k.community), "month": k.month}
		}, nonEmpty("monthlyReview", "openIssues", "edges")),
		// One claim is captured: its replay claims a fresh order in each transaction.
		{id: "claim", name: "claim", claims: cl, distinct: 1, request: cl.request, keys: cl.keysOf,
			check: equals("CLAIMED", "claimOrder", "state")},
	}
	out := map[string]*class{}
	for _, c := range classes {
		out[c.id] = c
	}
	return out
}

// selectClasses gives the classes a -classes list names, in their running order.
func selectClasses(all map[string]*class, list string) ([]*class, error) {
	want := map[string]bool{}
	for _, id := range strings.Split(list, ",") {
		id = strings.TrimSpace(id)
		if id == "all" {
			for _, c := range classIDs {
				want[c] = true
			}
			continue
		}
		if all[id] == nil {
			return nil, fmt.Errorf("no class %q (classes: %s, or all)", id, strings.Join(classIDs, ","))
		}
		want[id] = true
	}
	var out []*class
	for _, id := range classIDs {
		if want[id] {
			out = append(out, all[id])
		}
	}
	return out, nil
}

// Checks of an answer's data.

// at follows a path of object fields.
func at(data map[string]any, path ...string) any {
	var v any = data
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func nonEmpty(path ...string) func(map[string]any) error {
	return func(d map[string]any) error {
		switch v := at(d, path...).(type) {
		case []any:
			if len(v) > 0 {
				return nil
			}
		case string:
			if v != "" {
				return nil
			}
		case map[string]any:
			if len(v) > 0 {
				return nil
			}
		}
		return fmt.Errorf("%s is empty", strings.Join(path, "."))
	}
}

func length(n int, path ...string) func(map[string]any) error {
	return func(d map[string]any) error {
		if v, ok := at(d, path...).([]any); !ok || len(v) != n {
			return fmt.Errorf("%s does not hold %d items", strings.Join(path, "."), n)
		}
		return nil
	}
}

// some checks that at least one item of the list at list has a non-empty value at path.
func some(list []string, path ...string) func(map[string]any) error {
	return func(d map[string]any) error {
		items, _ := at(d, list...).([]any)
		for _, it := range items {
			if m, ok := it.(map[string]any); ok && nonEmpty(path...)(m) == nil {
				return nil
			}
		}
		return fmt.Errorf("no item of %s has %s", strings.Join(list, "."), strings.Join(path, "."))
	}
}

func equals(want string, path ...string) func(map[string]any) error {
	return func(d map[string]any) error {
		if got := at(d, path...); got != want {
			return fmt.Errorf("%s is %v, want %s", strings.Join(path, "."), got, want)
		}
		return nil
	}
}

func all(checks ...func(map[string]any) error) func(map[string]any) error {
	return func(d map[string]any) error {
		for _, c := range checks {
			if err := c(d); err != nil {
				return err
			}
		}
		return nil
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(strings.TrimSpace(s), "\n"); return l }
