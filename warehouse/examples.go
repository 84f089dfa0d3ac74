package warehouse

// Example is a worked query of the data dictionary: a question a statistician asks and the
// SQL that answers it, runnable as written on the warehouse database (ClickHouse 18.16 and
// current releases alike: one JOIN per SELECT, FINAL or argMax, is_deleted = 0). Tests run
// every example.
type Example struct {
	Title    string
	Question string
	SQL      string
}

// Examples are the dictionary's worked queries.
var Examples = []Example{
	{
		Title:    "Check-in rate by street",
		Question: "How many in-service party members each street expects, how many have checked in (verified), and the rate (报到率).",
		SQL: `SELECT name AS street, expected, checked_in, round(100 * checked_in / expected, 1) AS rate_pct
FROM
(
    SELECT street_id, expected, checked_in
    FROM (SELECT street_id, count() AS expected FROM role_party_member FINAL WHERE is_deleted = 0 GROUP BY street_id) AS m
    ANY LEFT JOIN
    (SELECT street_id, count() AS checked_in FROM fact_checkin FINAL WHERE is_deleted = 0 AND state = 'verified' GROUP BY street_id) AS c
    USING street_id
) AS r
ANY LEFT JOIN (SELECT id AS street_id, name FROM dim_street FINAL WHERE is_deleted = 0) AS s USING street_id
ORDER BY rate_pct DESC, street`,
	},
	{
		Title:    "Issues month by month",
		Question: "Issues reported per local month since 2025, how many of them are resolved, and the median hours from report to close-out.",
		SQL: `SELECT
    toStartOfMonth(reported_at) AS month,
    count() AS reported,
    countIf(state IN ('resolved', 'closed')) AS resolved,
    round(resolved / reported, 3) AS resolution_rate,
    round(quantileExactIf(0.5)((toInt64(assumeNotNull(closed_at)) - toInt64(reported_at)) / 3600, state = 'closed'), 1) AS median_hours_to_close
FROM fact_issue FINAL
WHERE is_deleted = 0 AND reported_at >= toDateTime('2025-01-01 00:00:00', 'Asia/Shanghai')
GROUP BY month
ORDER BY month`,
	},
	{
		Title:    "What resolving issues achieved, by category",
		Question: "Resolved issues per category and category group, with the quantities resolved (square metres of greening and the like).",
		SQL: `SELECT category_group, name AS category, count() AS resolved, sum(resolved_quantity) AS quantity, any(quantity_unit) AS unit
FROM (SELECT category_id, resolved_quantity FROM fact_issue FINAL WHERE is_deleted = 0 AND state IN ('resolved', 'closed')) AS i
ANY INNER JOIN
(SELECT id AS category_id, category_group, name, quantity_unit FROM dim_issue_category FINAL WHERE is_deleted = 0) AS c
USING category_id
GROUP BY category_group, category
ORDER BY category_group, resolved DESC`,
	},
	{
		Title:    "Service ledger by unit and quarter",
		Question: "Hours of service (服务台账) the members of each unit recorded in each quarter of 2025.",
		SQL: `SELECT name AS unit, quarter, records, service_hours
FROM
(
    SELECT unit_id, quarter, sum(member_records) AS records, sum(member_hours) AS service_hours
    FROM
    (
        SELECT member_id, toQuarter(served_on) AS quarter, count() AS member_records, sum(hours) AS member_hours
        FROM fact_service_record FINAL
        WHERE is_deleted = 0 AND toYear(served_on) = 2025
        GROUP BY member_id, quarter
    ) AS r
    ANY LEFT JOIN (SELECT id AS member_id, unit_id FROM role_party_member FINAL WHERE is_deleted = 0) AS m USING member_id
    GROUP BY unit_id, quarter
) AS u
ANY LEFT JOIN (SELECT id AS unit_id, name FROM dim_unit FINAL WHERE is_deleted = 0) AS d USING unit_id
ORDER BY unit, quarter`,
	},
	{
		Title: "Activities by kind and month, deduplicated with argMax",
		Question: "Events and people served per activity kind and month since 2025, reading the latest version of each row " +
			"with argMax instead of FINAL (the way to go on large tables).",
		SQL: `SELECT a_kind AS kind, toStartOfMonth(a_starts_at) AS month, count() AS events, sum(a_served) AS people_served
FROM
(
    SELECT id,
        argMax(kind, version) AS a_kind,
        argMax(starts_at, version) AS a_starts_at,
        argMax(people_served, version) AS a_served,
        argMax(is_deleted, version) AS a_deleted
    FROM fact_activity
    GROUP BY id
)
WHERE a_deleted = 0 AND a_starts_at >= toDateTime('2025-01-01 00:00:00', 'Asia/Shanghai')
GROUP BY kind, month
ORDER BY kind, month`,
	},
	{
		Title: "On-time rate by street",
		Question: "Of the issues with a due time resolved since 2025 (by the day resolved), how many each street resolved at or before " +
			"their due time and how many after it, and the on-time rate (按期办结率).",
		SQL: `SELECT name AS street, on_time + late AS resolved, on_time, late, round(100 * on_time / (on_time + late), 1) AS on_time_pct
FROM
(
    SELECT street_id,
        countIf(assumeNotNull(resolved_at) <= assumeNotNull(due_at)) AS on_time,
        countIf(assumeNotNull(resolved_at) > assumeNotNull(due_at)) AS late
    FROM fact_issue FINAL
    WHERE is_deleted = 0 AND state IN ('resolved', 'closed') AND resolved_at IS NOT NULL AND due_at IS NOT NULL
        AND assumeNotNull(resolved_at) >= toDateTime('2025-01-01 00:00:00', 'Asia/Shanghai')
    GROUP BY street_id
) AS r
ANY LEFT JOIN (SELECT id AS street_id, name FROM dim_street FINAL WHERE is_deleted = 0) AS s USING street_id
ORDER BY on_time_pct DESC, street`,
	},
	{
		Title: "Automatic escalations month by month",
		Question: "Issues escalated automatically when overdue (超期自动上报: the scheduler's escalate events, actor_role system) " +
			"per local month, and the escalations (an issue may go up twice: to its community, then its street).",
		SQL: `SELECT toStartOfMonth(at) AS month, uniqExact(issue_id) AS issues, count() AS escalations
FROM fact_issue_event FINAL
WHERE is_deleted = 0 AND action = 'escalate' AND actor_role = 'system'
GROUP BY month
ORDER BY month`,
	},
	{
		Title: "Satisfaction rate by street",
		Question: "Of the residents' verdicts on resolutions (满意度回访) given since 2025, superseded ones included, how many each street " +
			"heard satisfied and unsatisfied, how many issues closed with no response, and the satisfaction rate (满意率: satisfied of the " +
			"verdicts given, no response left out).",
		SQL: `SELECT name AS street, satisfied, unsatisfied, no_response, round(100 * satisfied / (satisfied + unsatisfied), 1) AS satisfied_pct
FROM
(
    SELECT street_id,
        countIf(ifNull(verdict, '') = 'satisfied') AS satisfied,
        countIf(ifNull(verdict, '') = 'unsatisfied') AS unsatisfied,
        countIf(ifNull(verdict, '') = 'no_response') AS no_response
    FROM fact_issue_event FINAL
    WHERE is_deleted = 0 AND action = 'verdict' AND at >= toDateTime('2025-01-01 00:00:00', 'Asia/Shanghai')
        AND issue_id IN (SELECT id FROM fact_issue FINAL WHERE is_deleted = 0)
    GROUP BY street_id
) AS v
ANY LEFT JOIN (SELECT id AS street_id, name FROM dim_street FINAL WHERE is_deleted = 0) AS s USING street_id
ORDER BY satisfied_pct DESC, street`,
	},
	{
		Title: "Orders declined, released and late by street",
		Question: "Of the service orders posted since 2025, how many each street's grids declined, how many were released back to the " +
			"demand list at least once, and how many the scheduler flagged as not claimed or not completed within their category's hours.",
		SQL: `SELECT name AS street, posted, declined, released, late
FROM
(
    SELECT street_id, count() AS posted, countIf(state = 'declined') AS declined,
        countIf(id IN (SELECT order_id FROM fact_order_event FINAL WHERE is_deleted = 0 AND action = 'release')) AS released,
        countIf(unclaimed_flagged_at IS NOT NULL OR unfinished_flagged_at IS NOT NULL) AS late
    FROM fact_service_order FINAL
    WHERE is_deleted = 0 AND posted_at >= toDateTime('2025-01-01 00:00:00', 'Asia/Shanghai')
    GROUP BY street_id
) AS o
ANY LEFT JOIN (SELECT id AS street_id, name FROM dim_street FINAL WHERE is_deleted = 0) AS s USING street_id
ORDER BY late DESC, street`,
	},
	{
		Title: "Unit scorecard",
		Question: "The unit scorecard of 2025 (逐单位综合评分), as the unitScorecard query and Reader.UnitScorecard compute it: per employer\n" +
			"unit, its members, the checked-in ones, their service hours in the year and their good grades among the year's ratings the\n" +
			"unit was told of (notified, acknowledged or appealed), and the score out of 100 = " + scoreFormula + " (a part without members or ratings scores 0; the weights are\n" +
			"warehouse.Score*Weight).",
		SQL: `SELECT unit_id, members, checked_in, hours, good, rated,
    ` + scoreSQL + ` AS score
FROM
(
    SELECT unit_id, members, checked_in, hours, good, rated
    FROM
    (
        SELECT unit_id, members, checked_in, hours
        FROM
        (
            SELECT unit_id, count() AS members, sum(checked) AS checked_in
            FROM (SELECT id AS member_id, unit_id FROM role_party_member FINAL WHERE is_deleted = 0) AS m
            ANY LEFT JOIN
            (SELECT member_id, toUInt64(1) AS checked FROM fact_checkin FINAL WHERE is_deleted = 0 AND state = 'verified' GROUP BY member_id) AS c
            USING member_id
            GROUP BY unit_id
        ) AS mc
        ANY LEFT JOIN
        (
            SELECT unit_id, toFloat64(sum(hours)) AS hours
            FROM (SELECT id AS member_id, unit_id FROM role_party_member FINAL WHERE is_deleted = 0) AS m
            ALL INNER JOIN
            (SELECT member_id, hours FROM fact_service_record FINAL WHERE is_deleted = 0 AND toYear(served_on) = 2025) AS s
            USING member_id
            GROUP BY unit_id
        ) AS h
        USING unit_id
    ) AS mch
    ANY LEFT JOIN
    (
        SELECT unit_id, countIf(grade = 'good') AS good, count() AS rated
        FROM (SELECT id AS member_id, unit_id FROM role_party_member FINAL WHERE is_deleted = 0) AS m
        ALL INNER JOIN
        (SELECT member_id, grade FROM fact_year_rating FINAL
         WHERE is_deleted = 0 AND year = 2025 AND state IN ('notified', 'acknowledged', 'appealed')) AS r
        USING member_id
        GROUP BY unit_id
    ) AS g
    USING unit_id
) AS u
ORDER BY score DESC, unit_id`,
	},
	{
		Title: "Grid staffing by street",
		Question: "How many grids each street has, how many have a current grid leader (网格长), how many current grid-worker (网格员) " +
			"assignments there are, and the grid workers per grid.",
		SQL: `SELECT name AS street, grids, with_leader, worker_posts, round(worker_posts / grids, 2) AS workers_per_grid
FROM
(
    SELECT street_id, grids, with_leader, worker_posts
    FROM (SELECT street_id, count() AS grids FROM dim_grid FINAL WHERE is_deleted = 0 GROUP BY street_id) AS g
    ANY LEFT JOIN
    (
        SELECT street_id, uniqExactIf(grid_id, role = 'grid_leader') AS with_leader, countIf(role = 'grid_worker') AS worker_posts
        FROM role_grid_assignment FINAL
        WHERE is_deleted = 0 AND ended_on IS NULL
        GROUP BY street_id
    ) AS a
    USING street_id
) AS r
ANY LEFT JOIN (SELECT id AS street_id, name FROM dim_street FINAL WHERE is_deleted = 0) AS s USING street_id
ORDER BY street`,
	},
	{
		Title:    "Duty shifts held month by month",
		Question: "Duty shifts (值班) held at the service centres per month: shifts whose day has passed and that were not cancelled, and the cadres who kept them.",
		SQL: `SELECT toStartOfMonth(on_date) AS month, count() AS shifts_held, uniqExact(cadre_id) AS cadres
FROM fact_duty_shift FINAL
WHERE is_deleted = 0 AND cancelled_on IS NULL AND on_date < today()
GROUP BY month
ORDER BY month`,
	},
	{
		Title:    "Co-building partners by kind",
		Question: "Current co-building partners (七联共建) by kind and street: community police, doctors, property staff and paired units' staff.",
		SQL: `SELECT name AS street, kind, partners
FROM
(
    SELECT street_id, kind, count() AS partners
    FROM role_partner FINAL
    WHERE is_deleted = 0 AND ended_on IS NULL
    GROUP BY street_id, kind
) AS p
ANY LEFT JOIN (SELECT id AS street_id, name FROM dim_street FINAL WHERE is_deleted = 0) AS s USING street_id
ORDER BY street, kind`,
	},
	{
		Title: "Check-in rate from its metric view",
		Question: "The check-in rate (报到率) of each street as the indicators compute it, from metric_checkin: members expected and\n" +
			"verified check-ins summed over the street's places, the rate the one over the other.",
		SQL: `SELECT name AS street, expected, checked_in, round(checked_in / expected, 4) AS rate
FROM (SELECT street_id, sum(expected) AS expected, sum(checked_in) AS checked_in FROM metric_checkin GROUP BY street_id) AS m
ANY LEFT JOIN (SELECT id AS street_id, name FROM dim_street FINAL WHERE is_deleted = 0) AS s USING street_id
ORDER BY street`,
	},
	{
		Title: "On-time closure rate month by month",
		Question: "Issues with a due time resolved each local month, on time and late, and the on-time closure rate (按期办结率),\n" +
			"from metric_on_time: the month's figures of indicators.trend, and over a period those of indicators.issues.",
		SQL: `SELECT toStartOfMonth(resolved_on) AS month, sum(on_time) AS resolved_on_time, sum(late) AS resolved_late,
    round(resolved_on_time / (resolved_on_time + resolved_late), 4) AS on_time_rate
FROM metric_on_time
GROUP BY month
ORDER BY month`,
	},
	{
		Title: "Volunteers by team type",
		Question: "Registered volunteers and volunteer police (义警) by the type of their team, from metric_volunteer; \"none\" are\n" +
			"the volunteers in no team: indicators.volunteers.teams.",
		SQL: `SELECT team_type, sum(volunteers) AS volunteers, sum(police) AS police
FROM metric_volunteer
GROUP BY team_type
ORDER BY team_type`,
	},
	{
		Title: "Resolved totals by category group",
		Question: "Issues reported over all time by category group, how many of them are resolved or closed out, the resolution\n" +
			"rate and the quantities resolved, from metric_issue_resolved: indicators.issues.byGroup.",
		SQL: `SELECT category_group, sum(reported) AS reported, sum(resolved) AS resolved, round(resolved / reported, 4) AS resolution_rate,
    sum(resolved_quantity) AS quantity
FROM metric_issue_resolved
ANY LEFT JOIN (SELECT id AS category_id, category_group FROM dim_issue_category FINAL WHERE is_deleted = 0) AS c USING category_id
GROUP BY category_group
ORDER BY category_group`,
	},
}
