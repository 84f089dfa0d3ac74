package store

import (
	"bytes"
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
			<-release // all n run at once: more goroutines than may stay idle
			mu.Lock()
			ran[i]++
			mu.Unlock()
		}, func(p *Panic) {
			if p != nil {
				t.Errorf("function %d panicked: %v", i, p)
			}
			wg.Done()
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

// A panic in a function given to Go reaches done with its value and the stack it was raised
// on; the process lives, and the workers go on running functions.
func TestGoHandsAPanicToDone(t *testing.T) {
	for range 2 * maxIdleWorkers { // more than the idle workers: reused ones panic too
		got := make(chan *Panic, 1)
		Go(panicsInAWorker, func(p *Panic) { got <- p })
		p := <-got
		if p == nil || p.Value != "boom" || !bytes.Contains(p.Stack, []byte("store.panicsInAWorker")) {
			t.Fatalf("done got %v, want the panic with the stack of panicsInAWorker", p)
		}
	}
	ran := make(chan *Panic, 1)
	Go(func() {}, func(p *Panic) { ran <- p })
	if p := <-ran; p != nil {
		t.Fatalf("a function that returned reported %v", p)
	}
	// A panic raised again keeps the stack it was first raised on.
	first := Run(panicsInAWorker)
	if again := Run(func() { panic(first) }); again != first {
		t.Fatalf("a *Panic raised again came back as %v", again)
	}
}

func panicsInAWorker() { panic("boom") }
