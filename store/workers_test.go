package store

import (
	"sync"
	"testing"
	"time"
)

// Every function given to Go runs once, many at a time, and at most maxIdleWorkers
// goroutines stay to wait for more.
func TestGoRunsEveryFunctionAndKeepsFewIdle(t *testing.T) {
	const n = 500
	var wg sync.WaitGroup
	var mu sync.Mutex
	ran := map[int]int{}
	release := make(chan struct{})
	wg.Add(n)
	for i := range n {
		Go(func() {
			defer wg.Done()
			<-release // all n run at once: more goroutines than may stay idle
			mu.Lock()
			ran[i]++
			mu.Unlock()
		})
	}
	close(release)
	wg.Wait()
	for i := range n {
		if ran[i] != 1 {
			t.Fatalf("function %d ran %d times", i, ran[i])
		}
	}
	// The finished workers settle into waiting over the next moments; none beyond the bound.
	for range 50 {
		if idle := idleWorkers.Load(); idle > maxIdleWorkers {
			t.Fatalf("%d idle workers, at most %d may stay", idle, maxIdleWorkers)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if idleWorkers.Load() == 0 {
		t.Fatal("no worker stayed to be reused")
	}
}
