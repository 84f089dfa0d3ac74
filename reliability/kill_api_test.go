package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/gid"
)

// TestAPISIGKILLMidWrite drives issues through their workflow from several clients and kills
// the server with SIGKILL mid-write, several times: afterwards every issue is in a valid state
// with a complete history (its state is its last event's, its version counts its events, and
// its history starts with the report).
func TestAPISIGKILLMidWrite(t *testing.T) {
	kills := 3
	if full {
		kills = 10
	}
	url, _ := seeded(t)
	rng := rand.New(rand.NewPCG(3, 4))
	steps := 0
	for k := range kills {
		a := startServe(t, url)
		a.actAsCadre(t, url)
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var mu sync.Mutex
		for c := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := workflowLoop(ctx, a, fmt.Sprintf("kill-%d-%d", k, c))
				mu.Lock()
				steps += n
				mu.Unlock()
			}()
		}
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		a.cmd.Process.Signal(syscall.SIGKILL) //nolint:errcheck
		a.cmd.Wait()                          //nolint:errcheck
		stop()
		wg.Wait()
	}
	if steps == 0 {
		t.Fatal("no workflow step was acknowledged")
	}
	checkHistories(t, url, "kill-")
	t.Logf("%d SIGKILLs during %d acknowledged workflow steps; every issue consistent with its history", kills, steps)
}

// workflowLoop reports an issue and takes it through accept, dispatch, start, resolve and
// close, again and again, until the server dies or ctx ends. It returns the steps acknowledged.
func workflowLoop(ctx context.Context, a *api, prefix string) int {
	acked := 0
	for i := 0; ctx.Err() == nil; i++ {
		r := a.do(ctx, reportMutation, reportVars(prefix+"-"+strconv.Itoa(i)))
		if r.err != nil || len(r.codes) > 0 {
			return acked
		}
		acked++
		id, _ := r.data["reportIssue"].(map[string]any)["id"].(string)
		for _, step := range []struct{ mutation, input string }{
			{"acceptIssue", "IssueActionInput"}, {"dispatchIssue", "DispatchIssueInput"}, {"startIssue", "IssueActionInput"},
			{"resolveIssue", "ResolveIssueInput"}, {"closeIssue", "IssueActionInput"},
		} {
			in := map[string]any{"issueId": id}
			switch step.mutation {
			case "dispatchIssue":
				in["handlerKind"], in["handlerPersonId"] = "CADRE", gid.Encode("Person", a.person)
			case "resolveIssue":
				in["result"] = "done"
			}
			q := fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { id } }`, step.input, step.mutation)
			if r := a.do(ctx, q, map[string]any{"in": in}); r.err != nil || len(r.codes) > 0 {
				return acked
			}
			acked++
		}
	}
	return acked
}

// checkHistories verifies every issue whose title starts with prefix against its history.
func checkHistories(t *testing.T, url, prefix string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var bad int
	var sample string
	err = conn.QueryRow(ctx, `
		WITH h AS (
			SELECT issue_id, count(*) AS events,
			       (array_agg(to_state ORDER BY id DESC))[1] AS last_state,
			       (array_agg(action ORDER BY id))[1] AS first_action
			FROM issue_events GROUP BY issue_id)
		SELECT count(*), coalesce(min(i.id::text || ' ' || i.state || ' v' || i.version || ' / ' ||
			coalesce(h.last_state, '-') || ' x' || coalesce(h.events, 0)), '')
		FROM issues i LEFT JOIN h ON h.issue_id = i.id
		WHERE starts_with(i.title, $1) AND (h.issue_id IS NULL OR h.last_state <> i.state
			OR h.first_action <> 'report' OR h.events <> i.version)`, prefix).Scan(&bad, &sample)
	if err != nil {
		t.Fatal(err)
	}
	if bad > 0 {
		t.Errorf("%d issues disagree with their history, e.g. %s", bad, sample)
	}
}
