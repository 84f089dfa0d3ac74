// Package scheduler runs the time-driven steps of the issue register and the order cycle: the
// early warning (预警) of issues nearing their due time, the automatic escalation of overdue
// ones, the closing of resolved issues whose reporter gave no verdict in time, and the flag on
// service orders not claimed or not completed within their category's hours. It runs in
// `gridgov worker`, or inside `gridgov serve`; however many processes run it, one at a time
// is the leader (a Postgres advisory lock held on a connection of its own) and ticks. The
// steps themselves (store.WarnIssues, store.EscalateOverdue, store.CloseUnanswered,
// store.FlagUnclaimedOrders, store.FlagUnfinishedOrders) are single statements that change an
// issue or order only while it is still due for the step, so a tick repeated, or run by a
// process that lost the lock without noticing, changes nothing twice.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/store"
)

// lockKey is the advisory lock of the scheduler's leader (the ETL's is 7_283_010).
const lockKey = 7_283_020

// A Scheduler ticks the steps every Interval while it leads.
type Scheduler struct {
	Store    *store.Store
	Log      *slog.Logger
	Interval time.Duration
	// Now is the scheduler's clock; time.Now when nil. Tests move it.
	Now func() time.Time
	// Reports, when set, is the step "monthly_reports": the previous month's reports of every
	// place still without one (reports.Source.Step), run at every tick after the others.
	Reports func(ctx context.Context, now time.Time) (int, error)
	metrics *metrics
}

// step is one time-driven step of the register.
type step struct {
	name string
	run  func(*store.Store, context.Context, time.Time) (int, error)
}

var steps = []step{
	{"warn", (*store.Store).WarnIssues},
	{"escalate", (*store.Store).EscalateOverdue},
	{"close_unanswered", (*store.Store).CloseUnanswered},
	{"flag_unclaimed", (*store.Store).FlagUnclaimedOrders},
	{"flag_unfinished", (*store.Store).FlagUnfinishedOrders},
}

// metrics are the scheduler's Prometheus metrics.
type metrics struct {
	changed  *prometheus.CounterVec
	failures *prometheus.CounterVec
	leader   prometheus.Gauge
	lastTick prometheus.Gauge
}

// Register creates the scheduler's metrics on reg.
func (s *Scheduler) Register(reg prometheus.Registerer) {
	m := &metrics{
		changed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gridgov", Subsystem: "scheduler", Name: "issues_changed_total",
			Help: "Issues or orders a time-driven step changed, by step: warn (预警), escalate (超期自动上报), close_unanswered (回访无应答), flag_unclaimed (超时未接单), flag_unfinished (超时未完成); monthly_reports counts the reports generated (月报).",
		}, []string{"step"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gridgov", Subsystem: "scheduler", Name: "failures_total",
			Help: "Steps that failed, by step; the next tick runs them again.",
		}, []string{"step"}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "gridgov", Subsystem: "scheduler", Name: "leader",
			Help: "1 while this process holds the scheduler's lock and ticks, else 0.",
		}),
		lastTick: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "gridgov", Subsystem: "scheduler", Name: "last_tick_timestamp_seconds",
			Help: "Unix time (the scheduler's clock) of the last tick whose steps all succeeded.",
		}),
	}
	reg.MustRegister(m.changed, m.failures, m.leader, m.lastTick)
	s.metrics = m
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Tick runs every step once at the scheduler's clock and gives how many rows each changed.
// A failed step does not stop the others; the error joins every failure.
func (s *Scheduler) Tick(ctx context.Context) (map[string]int, error) {
	now := s.now()
	changed := map[string]int{}
	var errs []error
	all := steps
	if s.Reports != nil {
		all = append(all[:len(all):len(all)], step{"monthly_reports", func(_ *store.Store, ctx context.Context, now time.Time) (int, error) {
			return s.Reports(ctx, now)
		}})
	}
	for _, st := range all {
		n, err := st.run(s.Store, ctx, now)
		changed[st.name] = n
		if s.metrics != nil {
			s.metrics.changed.WithLabelValues(st.name).Add(float64(n))
			if err != nil {
				s.metrics.failures.WithLabelValues(st.name).Inc()
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("scheduler step %s: %w", st.name, err))
		}
	}
	if len(errs) == 0 && s.metrics != nil {
		s.metrics.lastTick.Set(float64(now.Unix()))
	}
	return changed, errors.Join(errs...)
}

// Run leads and ticks until ctx ends: it tries for the lock every Interval, and once it holds
// it ticks every Interval, checking the lock's connection before each tick. Losing the
// connection loses the lead; Run then tries again. A failed tick is logged and retried at the
// next. A panic in a tick is recovered into an error, logged, and the lead given up.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		err := s.lead(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			s.Log.Warn("scheduler: lost or could not take the lead", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.Interval):
		}
	}
}

// lead takes the lock if it is free and ticks while it holds it; it returns (nil) at once
// when another process leads.
func (s *Scheduler) lead(ctx context.Context) (err error) {
	conn, err := s.Store.Pool().Acquire(ctx)
	if err != nil {
		return err
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey).Scan(&got); err != nil || !got {
		conn.Release()
		return err
	}
	// The lock is the session's: the connection is closed, not lent again holding it.
	defer func() {
		conn.Conn().Close(context.Background()) //nolint:errcheck
		conn.Release()
	}()
	s.Log.Info("scheduler: leading", "interval", s.Interval)
	s.setLeader(1)
	defer s.setLeader(0)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("scheduler: panic in a tick: %v", p)
		}
	}()
	for {
		if _, err := conn.Exec(ctx, `SELECT 1`); err != nil {
			return fmt.Errorf("the lock's connection: %w", err)
		}
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("scheduler: tick failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.Interval):
		}
	}
}

func (s *Scheduler) setLeader(v float64) {
	if s.metrics != nil {
		s.metrics.leader.Set(v)
	}
}
