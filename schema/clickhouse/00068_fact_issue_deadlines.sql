-- Deadlines that hold (时限) reach the warehouse: how often an issue was urged (催办), when it was
-- warned (预警) and put under supervision (督办), and how many extensions (延期) moved its due time.
-- The supervisor and the notes stay in Postgres; automatic escalations (超期自动上报) are the
-- fact_issue_event rows with action escalate and actor_role system. Rows loaded before need no
-- reload: Postgres added these columns (00017_issue_deadlines) with the same defaults, 0 and NULL,
-- and every row that changes them since is extracted again.
ALTER TABLE fact_issue
    ADD COLUMN urge_count UInt32 AFTER due_at,
    ADD COLUMN last_urged_at Nullable(DateTime('Asia/Shanghai')) AFTER urge_count,
    ADD COLUMN warned_at Nullable(DateTime('Asia/Shanghai')) AFTER last_urged_at,
    ADD COLUMN supervised_at Nullable(DateTime('Asia/Shanghai')) AFTER warned_at,
    ADD COLUMN supervision_due_at Nullable(DateTime('Asia/Shanghai')) AFTER supervised_at,
    ADD COLUMN extension_count UInt32 AFTER supervision_due_at,
    COMMENT COLUMN urge_count 'times the issue was urged (催办) by a community or street cadre',
    COMMENT COLUMN last_urged_at 'when it was last urged; NULL when never',
    COMMENT COLUMN warned_at 'when the scheduler warned (预警) that its due time nears; NULL when not warned since the due time was last set',
    COMMENT COLUMN supervised_at 'when it was put under supervision (督办); NULL when not supervised',
    COMMENT COLUMN supervision_due_at 'deadline of the supervision; NULL when not supervised',
    COMMENT COLUMN extension_count 'approved extensions (延期) of its due time; due_at is the due time after them'
