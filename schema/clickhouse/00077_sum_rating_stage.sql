-- Summary: year-end ratings (年终考核) by year, community and stage of the workflow.
-- Rebuilt from fact_year_rating (FINAL, is_deleted = 0) after ETL runs that change it; read
-- without FINAL.
CREATE TABLE IF NOT EXISTS sum_rating_stage
(
    year         UInt16 COMMENT 'the year rated',
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64 COMMENT 'community (社区); join dim_community',
    state        String COMMENT 'draft, submitted, approved, notified, acknowledged or appealed',
    ratings      UInt64 COMMENT 'live ratings'
)
ENGINE = MergeTree()
ORDER BY (year, street_id, community_id, state)
