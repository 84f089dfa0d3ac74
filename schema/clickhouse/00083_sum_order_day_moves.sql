-- The order summary counts, of the orders posted on a day, those declined by the grid, released
-- back to the demand list and flagged late. Rebuilt whole after ETL runs that change its
-- sources, so the new columns are filled at the next rebuild.
ALTER TABLE sum_order_day
    ADD COLUMN declined UInt64 AFTER rating_sum,
    ADD COLUMN released UInt64 AFTER declined,
    ADD COLUMN late UInt64 AFTER released,
    COMMENT COLUMN declined 'of them, declined by the grid',
    COMMENT COLUMN released 'of them, released back to the demand list at least once (fact_order_event action release)',
    COMMENT COLUMN late 'of them, flagged by the scheduler as not claimed or not completed in time'
