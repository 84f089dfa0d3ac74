package warehouse_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/config"
	"gridgov/etl"
	"gridgov/warehouse"
)

// BenchmarkIndicatorsCity measures the dashboard's full set of indicator queries at city scope
// (Reader.Indicators, every section, breakdown and trend) on a seeded and loaded warehouse,
// and the same aggregations computed directly in Postgres in the same run (docs/benchmarks.md,
// "Indicators"). It reads the database named by GRIDGOV_PG_URL and GRIDGOV_CH_DATABASE:
//
//	GRIDGOV_PG_URL=postgres://postgres@127.0.0.1:5432/gridgov_ind?sslmode=disable GRIDGOV_CH_DATABASE=gridgov_ind \
//	  go test -run '^$' -bench BenchmarkIndicatorsCity -benchtime 1x ./warehouse/
func BenchmarkIndicatorsCity(b *testing.B) {
	cfg, err := config.From(os.Getenv)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ch, err := warehouse.Open(ctx, warehouse.Options{Addr: cfg.CHAddr, User: cfg.CHUser, Password: cfg.CHPassword, Database: cfg.CHDatabase})
	if err != nil {
		b.Fatal(err)
	}
	defer ch.Close()
	pg, err := pgxpool.New(ctx, cfg.PGURL)
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close()
	m := warehouse.NewMetrics(prometheus.NewRegistry())
	r := warehouse.NewReader(ch, cfg.CHDatabase, warehouse.ReaderOptions{Metrics: m, AsOf: etl.CheckpointAsOf(pg, warehouse.IndicatorTables)})
	period := warehouse.Year(2026)
	span, _ := period.Bounds()
	asOf, err := etl.CheckpointAsOf(pg, warehouse.IndicatorTables)(ctx)
	if err != nil {
		b.Fatal(err)
	}
	const runs = 30
	var chTimes, pgTimes []time.Duration
	for i := 0; i < runs+3; i++ { // three warm-up runs each
		t0 := time.Now()
		if _, err := r.Indicators(ctx, warehouse.City, period); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		t0 = time.Now()
		if err := postgresIndicators(ctx, pg, span, asOf, 4); err != nil {
			b.Fatal(err)
		}
		if i >= 3 {
			chTimes, pgTimes = append(chTimes, d), append(pgTimes, time.Since(t0))
		}
	}
	cp50, cp95 := percentile(chTimes, 0.5), percentile(chTimes, 0.95)
	pp50, pp95 := percentile(pgTimes, 0.5), percentile(pgTimes, 0.95)
	b.ReportMetric(ms(cp50), "ch-p50-ms")
	b.ReportMetric(ms(cp95), "ch-p95-ms")
	b.ReportMetric(ms(pp50), "pg-p50-ms")
	b.ReportMetric(ms(pp95), "pg-p95-ms")
	b.ReportMetric(float64(pp50)/float64(cp50), "pg/ch-p50")
	b.Logf("%d runs at city scope, %s: ClickHouse p50 %.0f ms p95 %.0f ms; Postgres p50 %.0f ms p95 %.0f ms; Postgres/ClickHouse %.1f× (p50), %.1f× (p95)",
		runs, periodName(period), ms(cp50), ms(cp95), ms(pp50), ms(pp95), float64(pp50)/float64(cp50), float64(pp95)/float64(cp95))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func percentile(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// postgresIndicators computes, in Postgres, the aggregations Reader.Indicators computes in
// ClickHouse at city scope for span: the same groupings (by street, category, unit, team
// type, kind, month), percentiles and counts, parallel as the reader's queries are.
func postgresIndicators(ctx context.Context, pg *pgxpool.Pool, s warehouse.Span, asOf time.Time, parallel int) error {
	days := func(col string) string {
		return fmt.Sprintf("(%s AT TIME ZONE 'Asia/Shanghai')::date BETWEEN '%s' AND '%s'", col, s.From.Format(time.DateOnly), s.To.Format(time.DateOnly))
	}
	dates := fmt.Sprintf("BETWEEN '%s' AND '%s'", s.From.Format(time.DateOnly), s.To.Format(time.DateOnly))
	qs := []string{
		"SELECT street_id, count(*) FROM party_members WHERE deleted_at IS NULL GROUP BY 1",
		"SELECT street_id, count(*) FROM checkins WHERE deleted_at IS NULL AND state = 'verified' GROUP BY 1",
		"SELECT m.unit_id, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = m.id AND c.state = 'verified' AND c.deleted_at IS NULL)) FROM party_members m WHERE m.deleted_at IS NULL GROUP BY 1",
		"SELECT v.street_id, t.team_type, count(*), count(*) FILTER (WHERE t.is_volunteer_police) FROM volunteers v LEFT JOIN volunteer_teams t ON t.id = v.team_id AND t.deleted_at IS NULL WHERE v.deleted_at IS NULL GROUP BY 1, 2",
		"SELECT team_type, count(*) FROM volunteer_teams WHERE deleted_at IS NULL GROUP BY 1",
		"SELECT street_id, category_id, count(*), count(*) FILTER (WHERE state IN ('resolved', 'closed')), count(*) FILTER (WHERE state = 'closed'), " +
			"count(*) FILTER (WHERE state NOT IN ('resolved', 'closed') AND due_at < $1), sum(resolved_quantity) FILTER (WHERE state IN ('resolved', 'closed')), " +
			"count(*) FILTER (WHERE is_dispute), count(*) FILTER (WHERE is_dispute AND dispute_outcome = 'mediated'), " +
			"count(*) FILTER (WHERE is_dispute AND dispute_outcome = 'mediated' AND EXISTS (SELECT 1 FROM issue_mediators im WHERE im.issue_id = issues.id AND im.role = 'cadre' AND im.deleted_at IS NULL)) " +
			"FROM issues WHERE deleted_at IS NULL AND " + days("reported_at") + " GROUP BY 1, 2",
		"SELECT percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - reported_at) / 3600) FROM issues WHERE deleted_at IS NULL AND state = 'closed' AND closed_at IS NOT NULL AND " + days("reported_at"),
		"SELECT street_id, count(*), count(claimed_at), count(*) FILTER (WHERE state IN ('completed', 'rated')), count(rating), sum(rating) FROM service_orders WHERE deleted_at IS NULL AND " + days("posted_at") + " GROUP BY 1",
		"SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM claimed_at - posted_at) / 3600) FROM service_orders WHERE deleted_at IS NULL AND claimed_at IS NOT NULL AND " + days("posted_at"),
		"SELECT extract(year FROM served_on), extract(quarter FROM served_on), count(*), sum(hours) FROM service_records WHERE deleted_at IS NULL AND served_on " + dates + " GROUP BY 1, 2",
		fmt.Sprintf("SELECT m.unit_id, r.grade, count(*) FROM year_ratings r LEFT JOIN party_members m ON m.id = r.member_id AND m.deleted_at IS NULL WHERE r.deleted_at IS NULL AND r.year BETWEEN %d AND %d GROUP BY 1, 2", s.From.Year(), s.To.Year()),
		"SELECT street_id, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM grid_assignments a WHERE a.grid_id = g.id AND a.role = 'liaison' AND a.ended_on IS NULL AND a.deleted_at IS NULL)), " +
			"count(*) FILTER (WHERE EXISTS (SELECT 1 FROM grid_assignments a WHERE a.grid_id = g.id AND a.role = 'instructor' AND a.ended_on IS NULL AND a.deleted_at IS NULL)) FROM grids g WHERE deleted_at IS NULL GROUP BY 1",
		"SELECT street_id, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM building_appointments a WHERE a.building_id = b.id AND a.role = 'building_leader' AND a.ended_on IS NULL AND a.deleted_at IS NULL)) FROM buildings b WHERE deleted_at IS NULL GROUP BY 1",
		"SELECT (SELECT count(*) FROM communities WHERE deleted_at IS NULL), (SELECT count(*) FROM communities WHERE deleted_at IS NULL AND has_party_org), " +
			"(SELECT count(DISTINCT a.cadre_id) FROM grid_assignments a JOIN cadres c ON c.id = a.cadre_id AND c.is_leader AND c.deleted_at IS NULL WHERE a.role = 'instructor' AND a.ended_on IS NULL AND a.deleted_at IS NULL), " +
			"(SELECT count(DISTINCT a.cadre_id) FROM grid_assignments a JOIN cadres c ON c.id = a.cadre_id AND c.kind = 'street_cadre' AND c.deleted_at IS NULL WHERE a.role = 'liaison' AND a.ended_on IS NULL AND a.deleted_at IS NULL), " +
			"(SELECT count(*) FROM residents WHERE deleted_at IS NULL), (SELECT count(*) FROM building_appointments WHERE role = 'building_leader' AND ended_on IS NULL AND deleted_at IS NULL), " +
			"(SELECT count(*) FROM building_appointments WHERE role = 'owner_representative' AND ended_on IS NULL AND deleted_at IS NULL), (SELECT count(*) FROM compounds WHERE market_managed AND deleted_at IS NULL), " +
			"(SELECT count(DISTINCT r.member_id) FROM mediation_room_members r JOIN party_members m ON m.id = r.member_id JOIN units u ON u.id = m.unit_id AND u.is_justice WHERE r.deleted_at IS NULL), " +
			"(SELECT count(*) FROM red_stewards WHERE ended_on IS NULL AND deleted_at IS NULL), (SELECT count(*) FROM governance_instructors WHERE ended_on IS NULL AND deleted_at IS NULL), " +
			"(SELECT count(DISTINCT p.unit_id) FROM pairings p JOIN units u ON u.id = p.unit_id AND u.civilised WHERE p.kind = 'practice_station' AND p.ended_on IS NULL AND p.deleted_at IS NULL), " +
			"(SELECT count(*) FROM social_organisations WHERE has_party_org AND deleted_at IS NULL), (SELECT count(*) FROM venture_projects WHERE deleted_at IS NULL), (SELECT count(*) FROM service_categories WHERE deleted_at IS NULL)",
		"SELECT kind, count(*), sum(people_served), count(DISTINCT intersection_id) FROM activities WHERE deleted_at IS NULL AND " + days("starts_at") + " GROUP BY 1",
		"SELECT street_id, count(*), sum(people_served) FROM activities WHERE deleted_at IS NULL AND " + days("starts_at") + " GROUP BY 1",
		"SELECT a.kind, count(*), count(DISTINCT p.person_id) FILTER (WHERE p.role = 'party_member') FROM activity_participants p JOIN activities a ON a.id = p.activity_id AND a.deleted_at IS NULL WHERE p.deleted_at IS NULL AND " + days("a.starts_at") + " GROUP BY 1",
		"SELECT kind, count(*), sum(people_served), sum(hours) FROM work_logs WHERE deleted_at IS NULL AND " + days("logged_at") + " GROUP BY 1",
		"SELECT (SELECT count(*) FROM joint_meetings WHERE deleted_at IS NULL AND held_on " + dates + "), count(*), count(*) FILTER (WHERE mm.kind = 'major_matter'), count(*) FILTER (WHERE mm.kind = 'dispute' AND mm.outcome = 'mediated') " +
			"FROM meeting_matters mm JOIN joint_meetings jm ON jm.id = mm.meeting_id AND jm.deleted_at IS NULL AND jm.held_on " + dates + " WHERE mm.deleted_at IS NULL",
		"SELECT to_char(reported_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMM'), count(*), count(*) FILTER (WHERE state IN ('resolved', 'closed')) FROM issues WHERE deleted_at IS NULL AND " + days("reported_at") + " GROUP BY 1",
		"SELECT to_char(posted_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMM'), count(*), count(*) FILTER (WHERE state IN ('completed', 'rated')) FROM service_orders WHERE deleted_at IS NULL AND " + days("posted_at") + " GROUP BY 1",
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	errs := make([]error, len(qs))
	for i, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var args []any
			if strings.Contains(q, "$1") {
				args = append(args, asOf)
			}
			rows, err := pg.Query(ctx, q, args...)
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", q, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
