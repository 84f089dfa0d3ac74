-- Summary: volunteer-police duties (义警: patrol and traffic duty), live activities of kind
-- police_patrol or police_traffic, by the local day they started, place and kind, with their
-- live participations and hours. Rebuilt from fact_activity and fact_activity_participant
-- (FINAL, is_deleted = 0) after ETL runs that change them; read without FINAL. Sum any columns
-- over any days and places.
CREATE TABLE IF NOT EXISTS sum_police_duty_day
(
    started_on     Date           COMMENT 'local day the duty started: toDate(fact_activity.starts_at)',
    street_id      UInt64         COMMENT 'street (街道) or town; join dim_street',
    community_id   UInt64         COMMENT 'community (社区); join dim_community; 0 when street-wide',
    grid_id        UInt64         COMMENT 'grid (网格); join dim_grid; 0 when wider than a grid',
    kind           String         COMMENT 'police_patrol (义警巡逻) or police_traffic (交通疏导)',
    duties         UInt64         COMMENT 'live duties',
    participations UInt64         COMMENT 'live participations (volunteer-times)',
    hours          Decimal(18, 2) COMMENT 'hours served by the participants'
)
ENGINE = MergeTree()
ORDER BY (started_on, street_id, community_id, grid_id, kind)
