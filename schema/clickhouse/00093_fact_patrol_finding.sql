-- What red stewards' patrols found, by category, and whether each was raised as an issue of the
-- issue register (a finding is raised once; raising it changes the row, with a higher version).
-- The description stays in Postgres.
CREATE TABLE IF NOT EXISTS fact_patrol_finding
(
    id           UInt64                              COMMENT 'finding id, as in Postgres; the deduplication key',
    patrol_id    UInt64                              COMMENT 'the patrol; join fact_patrol',
    street_id    UInt64                              COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                              COMMENT 'community (社区); join dim_community',
    grid_id      UInt64                              COMMENT 'grid (网格); join dim_grid',
    category     String                              COMMENT 'safety_hazard, environment, facility_damage, public_order, neighbour_dispute or other',
    issue_id     Nullable(UInt64)                    COMMENT 'the issue it was raised as; join fact_issue; NULL while not raised',
    raised_at    Nullable(DateTime('Asia/Shanghai')) COMMENT 'when it was raised as an issue; NULL while not raised',
    created_at   DateTime('Asia/Shanghai')           COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai')           COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                              COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                               COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
