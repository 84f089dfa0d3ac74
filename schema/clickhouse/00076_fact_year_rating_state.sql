-- The stage of each year-end rating (年终考核) reaches the warehouse: draft, submitted,
-- approved, notified (the member's unit was told, 通报单位), acknowledged (by the unit) or
-- appealed. Postgres has held the column since 00020_rating_workflow, where ratings recorded
-- before the workflow became acknowledged; rows copied before this migration hold an empty
-- state (counted in no stage) until `gridgov etl resync --table fact_year_rating` reloads them.
ALTER TABLE fact_year_rating
    ADD COLUMN state String AFTER grade,
    COMMENT COLUMN state 'stage of the rating: draft, submitted, approved, notified (the unit was told), acknowledged (by the unit) or appealed (by the member)'
