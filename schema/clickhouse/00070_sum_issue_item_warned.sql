-- Whether an open issue was warned (预警), for the issues due soon at a given time: warned and not
-- yet past open_due_at. The ETL rebuilds sum_issue_item with it after the next run.
ALTER TABLE sum_issue_item
    ADD COLUMN open_warned UInt8,
    COMMENT COLUMN open_warned '1 for an issue neither resolved nor closed that was warned (预警) since its due time was last set; 0 otherwise'
