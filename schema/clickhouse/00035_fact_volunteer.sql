-- Real-name registered volunteers (志愿者), at the community where they serve.
CREATE TABLE IF NOT EXISTS fact_volunteer
(
    id            UInt64                    COMMENT 'volunteer id, as in Postgres; the deduplication key',
    person_key    UInt64                    COMMENT 'pseudonymous key of the volunteer (keyed hash of the person id); joins dim_person.person_key',
    team_id       Nullable(UInt64)          COMMENT 'volunteer team; join dim_volunteer_team; NULL when in none',
    street_id     UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id  UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id       Nullable(UInt64)          COMMENT 'grid (网格); join dim_grid; NULL when not tied to a grid',
    registered_on Date                      COMMENT 'day of registration',
    skills        String                    COMMENT 'skills offered',
    created_at    DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at    DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version       UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted    UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
