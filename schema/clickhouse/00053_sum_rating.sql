-- Summary: year-end ratings (年终考核) by year, community, grade and the member's employer unit.
-- Rebuilt from fact_year_rating and role_party_member (FINAL, is_deleted = 0) after ETL runs that
-- change them; read without FINAL.
CREATE TABLE IF NOT EXISTS sum_rating
(
    year         UInt16 COMMENT 'the year rated',
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64 COMMENT 'community (社区); join dim_community',
    grade        String COMMENT 'good (好), fair (较好), average (一般) or poor (差)',
    unit_id      UInt64 COMMENT 'the rated member\'s employer; join dim_unit; 0 when the member is no longer live',
    ratings      UInt64 COMMENT 'live ratings'
)
ENGINE = MergeTree()
ORDER BY (year, street_id, community_id, grade, unit_id)
