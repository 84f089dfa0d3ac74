-- The resident's verdict (满意度回访) on an issue's latest resolution reaches the warehouse: its
-- value, score, channel and time, and how many unsatisfied verdicts reopened the issue (重办).
-- Who recorded it and the resident's words stay in Postgres. A verdict comes days after the
-- resolution and changes the row (a higher version), so the ETL extracts it again; a later
-- resolution clears the verdict until the next one. Every verdict, superseded ones included, is
-- also a fact_issue_event row (action verdict). Postgres has held these columns since
-- 00017_issue_deadlines: a warehouse loaded before this migration holds issues copied without
-- them, which `gridgov etl resync --table fact_issue` reloads without downtime.
ALTER TABLE fact_issue
    ADD COLUMN verdict Nullable(String) AFTER extension_count,
    ADD COLUMN verdict_score Nullable(UInt8) AFTER verdict,
    ADD COLUMN verdict_channel Nullable(String) AFTER verdict_score,
    ADD COLUMN verdict_at Nullable(DateTime('Asia/Shanghai')) AFTER verdict_channel,
    ADD COLUMN reopen_count UInt32 AFTER verdict_at,
    COMMENT COLUMN verdict 'the reporting resident\'s verdict on the latest resolution (满意度回访): satisfied, unsatisfied or no_response; NULL while pending or when a non-resident reported the issue',
    COMMENT COLUMN verdict_score 'score of the verdict, 1 to 5; NULL for no_response and while pending',
    COMMENT COLUMN verdict_channel 'resident (given by the resident), phone (recorded by a cadre after a phone call) or timeout (no_response: none came within the category\'s verdict_days); NULL while pending',
    COMMENT COLUMN verdict_at 'when the verdict was given; NULL while pending',
    COMMENT COLUMN reopen_count 'unsatisfied verdicts on the issue\'s resolutions: each reopened it (重办) or, past its category\'s max_reopens, sent it to the street'
