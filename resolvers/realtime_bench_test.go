package resolvers_test

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"gridgov/realtime"
)

// BenchmarkSubscriptionFanOut opens 1,000 subscriptions to issueChanged (street cadres of the
// world's street, each with a token of their own, over one API instance) and reports, for
// issues reported one after another through the HTTP API, the time from sending the mutation
// (so the commit is included) to each subscriber's receiving the event: p50 and p95 over
// every subscriber and event, the mutation's own round trip (p50), and the heap taken by an idle subscription (server and client
// sides, both in this process).
//
//	go test ./resolvers -run '^$' -bench SubscriptionFanOut -benchtime 20x
func BenchmarkSubscriptionFanOut(b *testing.B) {
	const subscribers = 1000
	e := newEnv(b)
	w := e.world()
	in := e.serveRealtime(b, realtime.Limits{PerToken: 1, PerConnection: 1, Buffer: 64})

	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	clients := make([]*wsClient, subscribers)
	for i := range clients {
		clients[i] = dialWS(b, in.url, e.token("street_cadre", gid("Street", w.street), int64(1000+i)))
		clients[i].subscribe("1", `subscription { issueChanged { id state title } }`)
	}
	waitSubs(b, in.hub, subscribers)
	perSub := float64(heap()-before) / subscribers

	var lat, commits []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var mu sync.Mutex
		var wg sync.WaitGroup
		sent := time.Now()
		id := e.report(w, w.grid, fmt.Sprintf("基准%d", i))
		commits = append(commits, time.Since(sent))
		for _, c := range clients {
			wg.Go(func() {
				got := c.event(30 * time.Second)
				if dig(got, "issueChanged", "id") != id {
					b.Errorf("got %v, want %s", got, id)
				}
				mu.Lock()
				lat = append(lat, time.Since(sent))
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
	slices.Sort(commits)
	b.ReportMetric(float64(commits[len(commits)/2].Microseconds())/1000, "mutation-p50-ms")
	b.ReportMetric(perSub/1024, "KiB/idle-sub")
}
