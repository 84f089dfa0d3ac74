-- Joint meetings are scheduled ahead, and rescheduled, cancelled or held: the warehouse gets
-- the meeting's state and its scheduled start. held_on is the day held, or, for a scheduled or
-- cancelled meeting, the day it was scheduled for. The agenda, minutes, attendees and history
-- stay in Postgres. A meeting copied before this migration has an empty state: Postgres had
-- no state but held then, so a meeting counts as held unless scheduled or cancelled, and
-- `gridgov etl resync --table fact_joint_meeting` fills the state in without downtime.
ALTER TABLE fact_joint_meeting
    ADD COLUMN state String AFTER attendees,
    ADD COLUMN scheduled_at Nullable(DateTime('Asia/Shanghai')) AFTER state,
    COMMENT COLUMN held_on 'day held; for a scheduled or cancelled meeting, the day it was scheduled for',
    COMMENT COLUMN state 'scheduled, held or cancelled (empty when copied before the state was: held); only a meeting neither scheduled nor cancelled was held',
    COMMENT COLUMN scheduled_at 'when the meeting was scheduled to start (Asia/Shanghai); NULL for a meeting recorded after it was held'
