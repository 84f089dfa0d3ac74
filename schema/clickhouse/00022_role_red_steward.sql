-- Red stewards (红色小管家): resident party members selected for daily patrols.
CREATE TABLE IF NOT EXISTS role_red_steward
(
    id           UInt64                    COMMENT 'steward id, as in Postgres; the deduplication key',
    person_key   UInt64                    COMMENT 'pseudonymous key of the steward (keyed hash of the person id); joins dim_person.person_key',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id      UInt64                    COMMENT 'grid (网格); join dim_grid',
    selected_on  Date                      COMMENT 'day of selection',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
