-- Summary: joint meetings (党建联席会) by day held and community, with their matters. Rebuilt from
-- fact_joint_meeting and fact_meeting_matter (FINAL, is_deleted = 0) after ETL runs that change
-- them; read without FINAL. Matters count under their meeting's day and place.
CREATE TABLE IF NOT EXISTS sum_meeting_day
(
    held_on           Date   COMMENT 'day held',
    street_id         UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id      UInt64 COMMENT 'community (社区); join dim_community',
    meetings          UInt64 COMMENT 'live meetings',
    matters           UInt64 COMMENT 'their live matters',
    major_matters     UInt64 COMMENT 'of them, major matters discussed (共议重大事项)',
    disputes_mediated UInt64 COMMENT 'of them, disputes with outcome mediated (联合调解)'
)
ENGINE = MergeTree()
ORDER BY (held_on, street_id, community_id)
