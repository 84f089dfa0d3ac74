-- The register's deadline counts by the day issues were reported: urged (催办), supervised (督办),
-- extended (延期) and escalated automatically (超期自动上报, from fact_issue_event). The ETL rebuilds
-- sum_issue_day with them after the next run (its definition changed).
ALTER TABLE sum_issue_day
    ADD COLUMN urged UInt64,
    ADD COLUMN supervised UInt64,
    ADD COLUMN extended UInt64,
    ADD COLUMN auto_escalated UInt64,
    COMMENT COLUMN urged 'of them, urged (催办) at least once: urge_count > 0',
    COMMENT COLUMN supervised 'of them, under supervision (督办): supervised_at IS NOT NULL',
    COMMENT COLUMN extended 'of them, with an approved extension (延期): extension_count > 0',
    COMMENT COLUMN auto_escalated 'of them, escalated automatically when overdue (超期自动上报): a fact_issue_event row with action escalate and actor_role system'
