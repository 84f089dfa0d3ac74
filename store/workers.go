package store

import (
	"fmt"
	"runtime/debug"
	"sync/atomic"
)

// Go runs f on a goroutine kept from an earlier call when one is idle, else on a new one,
// then calls done with the panic f raised, recovered (nil when f returned).
//
// A prefetch level reads side by side on several goroutines (resolvers' Loaders.together and
// a Pipeline's batch). A new goroutine starts with a small stack and copies it, twice or
// more, as a read descends through pgx: the console page's CPU profile spent 4 % in stack
// copies and goroutine starts. A goroutine that has finished waits here for the next
// function with its grown stack, up to maxIdleWorkers of them; the rest exit.
//
// A panic in a goroutine nobody recovers ends the process, so f's is recovered here and
// given to done, which runs on the same goroutine after f and must hand the panic to
// whoever waits for f (and must not panic itself).
func Go(f func(), done func(*Panic)) {
	t := task{f: f, done: done}
	select {
	case idleWork <- t:
	default:
		go work(t)
	}
}

const maxIdleWorkers = 64

type task struct {
	f    func()
	done func(*Panic)
}

var (
	idleWork    = make(chan task) // unbuffered: a send succeeds only into an idle worker
	idleWorkers atomic.Int32
)

func work(t task) {
	for {
		t.done(Run(t.f))
		if idleWorkers.Add(1) > maxIdleWorkers {
			idleWorkers.Add(-1)
			return
		}
		t = <-idleWork
		idleWorkers.Add(-1)
	}
}

// Panic is a panic recovered on a goroutine that worked for a request, to be raised again
// (or reported as an error) on the goroutine that waits for that work: the value and the
// stack of the goroutine it was raised on. gqlgen's recover func then turns it into the
// request's INTERNAL error and logs the stack where the panic happened.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Run calls f and gives the panic it raised, recovered, or nil when it returned.
func Run(f func()) (p *Panic) {
	defer func() {
		if v := recover(); v != nil {
			p = Recovered(v)
		}
	}()
	f()
	return nil
}

// Recovered gives v, a value just recovered from a panic, as a *Panic with the stack of the
// goroutine that panicked; a *Panic raised again keeps the stack it was first raised on.
// It must be called from the deferred function that recovered v.
func Recovered(v any) *Panic {
	if p, ok := v.(*Panic); ok {
		return p
	}
	return &Panic{Value: v, Stack: debug.Stack()}
}
