-- sum_meeting_day counts the meetings held (state neither scheduled nor cancelled): a meeting
-- scheduled or cancelled is not one, and has no matters. Rebuilt with the next ETL run that
-- changes fact_joint_meeting. The quarterly compliance (每季度至少召开一次) is read from it: the
-- communities with meetings > 0 on a day of the quarter, against the communities of sum_standing.
ALTER TABLE sum_meeting_day
    COMMENT COLUMN meetings 'live meetings held: fact_joint_meeting.state neither scheduled nor cancelled'
