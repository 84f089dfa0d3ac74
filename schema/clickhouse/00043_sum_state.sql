-- Which ETL snapshot each summary table (sum_*) reflects. The ETL rebuilds a summary after a run
-- that changed its source tables and then records it here; the indicators report the oldest
-- snapshot of the summaries they read as their asOf. One row per summary: read with FINAL.
CREATE TABLE IF NOT EXISTS sum_state
(
    summary     String                    COMMENT 'the summary table, e.g. sum_issue_day',
    snapshot_us UInt64                    COMMENT 'the Postgres snapshot the summary reflects, in microseconds since 1970-01-01 UTC: the oldest ETL checkpoint of its source tables when recorded',
    snapshot_at DateTime('Asia/Shanghai') COMMENT 'the same snapshot, to the second',
    sources     String                    COMMENT 'the source tables and their loaded row totals when the summary was built (table=rows, ...): a change means a rebuild',
    built_at    DateTime('Asia/Shanghai') COMMENT 'when the summary was last rebuilt',
    version     UInt64                    COMMENT 'row version (microseconds when recorded): the highest version of a summary is current'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY summary
