-- Summary: one row per live activity with its participations counted. Rebuilt from fact_activity and
-- fact_activity_participant (FINAL, is_deleted = 0) after ETL runs that change them; read without
-- FINAL.
CREATE TABLE IF NOT EXISTS sum_activity
(
    started_on      Date             COMMENT 'local day it started: toDate(fact_activity.starts_at)',
    id              UInt64           COMMENT 'activity id; join fact_activity',
    kind            String           COMMENT 'themed_party_day, legal_publicity, micro_classroom, intersection_duty, vaccination_drive, co_building_service, micro_welfare or volunteer_service',
    street_id       UInt64           COMMENT 'street (街道) or town; join dim_street',
    community_id    UInt64           COMMENT 'community (社区); join dim_community; 0 when street-wide',
    grid_id         UInt64           COMMENT 'grid; join dim_grid; 0 when wider than a grid',
    intersection_id Nullable(UInt64) COMMENT 'intersection for traffic duty; join dim_intersection',
    people_served   UInt64           COMMENT 'people served',
    participations  UInt64           COMMENT 'live participations (person-times)'
)
ENGINE = MergeTree()
ORDER BY (started_on, id)
