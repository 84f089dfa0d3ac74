-- Every verdict (满意度回访) an issue's history holds, as the row of the issue holds only the one on
-- its latest resolution: the value and channel of a verdict event, and its score, which
-- Postgres writes into the event's note ("满意 5分", "不满意 2分"; the note itself stays there).
-- Events are never updated: a warehouse loaded before this migration holds verdict events
-- without them, which `gridgov etl resync --table fact_issue_event` reloads without downtime.
ALTER TABLE fact_issue_event
    ADD COLUMN verdict Nullable(String) AFTER to_state,
    ADD COLUMN verdict_score Nullable(UInt8) AFTER verdict,
    ADD COLUMN verdict_channel Nullable(String) AFTER verdict_score,
    COMMENT COLUMN verdict 'for action verdict: satisfied (to_state closed), unsatisfied (to_state reopened, or escalated to the street) or no_response (actor_role system); NULL for other actions',
    COMMENT COLUMN verdict_score 'for action verdict: its score, 1 to 5; NULL for no_response and other actions',
    COMMENT COLUMN verdict_channel 'for action verdict: resident (the reporter gave it), phone (a cadre recorded it after a phone call) or timeout (no_response); NULL for other actions'
