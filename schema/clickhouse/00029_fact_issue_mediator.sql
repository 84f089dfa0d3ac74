-- Mediators of a dispute: cadres, partners, party members or volunteers.
CREATE TABLE IF NOT EXISTS fact_issue_mediator
(
    id           UInt64                    COMMENT 'mediator id, as in Postgres; the deduplication key',
    issue_id     UInt64                    COMMENT 'the dispute; join fact_issue',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id      UInt64                    COMMENT 'grid (网格); join dim_grid',
    person_key   UInt64                    COMMENT 'pseudonymous key of the mediator (keyed hash of the person id); joins dim_person.person_key',
    role         String                    COMMENT 'cadre, partner, party_member or volunteer',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
