package store

import "sync/atomic"

// Go runs f on a goroutine kept from an earlier call when one is idle, else on a new one.
//
// A prefetch level reads side by side on several goroutines (resolvers' Loaders.together and
// a Pipeline's batch). A new goroutine starts with a small stack and copies it, twice or
// more, as a read descends through pgx: the console page's CPU profile spent 4 % in stack
// copies and goroutine starts. A goroutine that has finished waits here for the next
// function with its grown stack, up to maxIdleWorkers of them; the rest exit.
func Go(f func()) {
	select {
	case idleWork <- f:
	default:
		go work(f)
	}
}

const maxIdleWorkers = 64

var (
	idleWork    = make(chan func()) // unbuffered: a send succeeds only into an idle worker
	idleWorkers atomic.Int32
)

func work(f func()) {
	for {
		f()
		if idleWorkers.Add(1) > maxIdleWorkers {
			idleWorkers.Add(-1)
			return
		}
		f = <-idleWork
		idleWorkers.Add(-1)
	}
}
