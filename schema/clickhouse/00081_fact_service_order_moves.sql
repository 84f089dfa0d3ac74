-- Orders declined by the grid, and the due times an order takes from its category (claim
-- within, complete within) with the scheduler's late flags, reach the warehouse; releases and
-- reassignments are fact_order_event rows (actions release, reassign, flag). The reason of a
-- decline stays in Postgres. Postgres has held these columns since 00021_checkin_order_moves: a
-- warehouse loaded before this migration holds orders copied without them, which
-- `gridgov etl resync --table fact_service_order` reloads.
ALTER TABLE fact_service_order
    ADD COLUMN claim_due_at Nullable(DateTime('Asia/Shanghai')) AFTER rated_at,
    ADD COLUMN complete_due_at Nullable(DateTime('Asia/Shanghai')) AFTER claim_due_at,
    ADD COLUMN unclaimed_flagged_at Nullable(DateTime('Asia/Shanghai')) AFTER complete_due_at,
    ADD COLUMN unfinished_flagged_at Nullable(DateTime('Asia/Shanghai')) AFTER unclaimed_flagged_at,
    COMMENT COLUMN state 'posted, published, claimed, completed, rated, cancelled or declined (by the grid, with a reason)',
    COMMENT COLUMN claim_due_at 'when it is to be claimed by: first publication plus the category\'s claim_within_hours; NULL: no limit',
    COMMENT COLUMN complete_due_at 'when it is to be completed by: latest claim plus the category\'s complete_within_hours; NULL: no limit or not claimed',
    COMMENT COLUMN unclaimed_flagged_at 'when the scheduler flagged it as not claimed in time (超时未接单), once; NULL when never',
    COMMENT COLUMN unfinished_flagged_at 'when the scheduler flagged it as not completed in time (超时未完成), once; NULL when never'
