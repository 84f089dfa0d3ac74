package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Where the CPU of a run goes. The API, the load generator and Postgres share this
// machine's cores, so a page's rate is bounded by the CPU all three spend on it: the split
// says which part to make cheaper. Figures come from /proc (clock ticks of 10 ms: Linux's
// USER_HZ is 100) over the measured window only.

const tick = 10 * time.Millisecond

// cpuSample is the CPU used so far by the server, this process and every Postgres process.
type cpuSample struct{ server, self, postgres time.Duration }

// cpuSplit is a window's CPU per request, in milliseconds.
type cpuSplit struct{ server, self, postgres float64 }

func (s cpuSplit) String() string {
	return fmt.Sprintf("CPU per request: server %.2f ms, load generator %.2f ms, Postgres %.2f ms",
		s.server, s.self, s.postgres)
}

func sampleCPU(serverPID int) cpuSample {
	srv, _ := procCPU(serverPID, false)
	return cpuSample{server: srv, self: selfCPU(), postgres: postgresCPU()}
}

// per gives the CPU between two samples divided among n requests.
func (a cpuSample) per(b cpuSample, n float64) cpuSplit {
	f := func(x, y time.Duration) float64 { return float64(y-x) / float64(time.Millisecond) / n }
	return cpuSplit{server: f(a.server, b.server), self: f(a.self, b.self), postgres: f(a.postgres, b.postgres)}
}

// measureCPU samples at the start and the end of the window [from, from+d) of a run that
// is in progress; the result arrives when the window has closed.
func measureCPU(serverPID int, from time.Time, d time.Duration) <-chan [2]cpuSample {
	out := make(chan [2]cpuSample, 1)
	go func() {
		time.Sleep(time.Until(from))
		a := sampleCPU(serverPID)
		time.Sleep(time.Until(from.Add(d)))
		out <- [2]cpuSample{a, sampleCPU(serverPID)}
	}()
	return out
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU reads a process's user and system time from /proc/pid/stat; with children, also
// that of its children that have exited and been waited for.
func procCPU(pid int, children bool) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) in parentheses: state is field 3,
	// utime 14, stime 15, cutime 16, cstime 17.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 15 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	last := 13 // utime, stime
	if children {
		last = 15 // and cutime, cstime
	}
	var ticks int64
	for _, s := range f[11:last] {
		n, _ := strconv.ParseInt(string(s), 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * tick, nil
}

// postgresCPU sums every process named postgres: live ones by their own time, and for the
// postmaster (the one whose parent is not postgres) also its exited children, so a backend
// that ends during a window still counts.
func postgresCPU() time.Duration {
	var total time.Duration
	for _, pid := range postgresPIDs() {
		t, err := procCPU(pid, comm(ppid(pid)) != "postgres")
		if err == nil {
			total += t
		}
	}
	return total
}

// settle waits (at most 3 s) until no Postgres backend is exiting: pgbench's backends end
// after pgbench does, and one that has exited but is not yet reaped shows no CPU time at
// all, while the postmaster has not yet counted it either.
func settle() {
	for range 300 {
		if !postgresExiting() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// postgresExiting reports whether a Postgres process is a zombie.
func postgresExiting() bool {
	for _, pid := range postgresPIDs() {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			if i := bytes.LastIndexByte(b, ')'); i >= 0 && bytes.HasPrefix(bytes.TrimSpace(b[i+1:]), []byte("Z")) {
				return true
			}
		}
	}
	return false
}

// postgresPIDs lists the processes named postgres.
func postgresPIDs() []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []int
	for _, d := range dirs {
		if pid, err := strconv.Atoi(filepath.Base(d)); err == nil && comm(pid) == "postgres" {
			out = append(out, pid)
		}
	}
	return out
}

func comm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return string(bytes.TrimSpace(b))
}

func ppid(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(string(f[1]))
	return n
}
