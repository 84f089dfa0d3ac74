-- Every transition of an issue: who, when, from which state to which. Append-only in Postgres.
-- Notes stay in Postgres.
CREATE TABLE IF NOT EXISTS fact_issue_event
(
    id           UInt64                    COMMENT 'event id, as in Postgres; the deduplication key',
    issue_id     UInt64                    COMMENT 'the issue; join fact_issue',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    grid_id      UInt64                    COMMENT 'grid (网格); join dim_grid',
    actor_key    Nullable(UInt64)          COMMENT 'pseudonymous key of the actor; NULL for the system',
    actor_role   String                    COMMENT 'role the actor acted in',
    action       String                    COMMENT 'what was done, e.g. dispatch, resolve, close',
    from_state   Nullable(String)          COMMENT 'state before; NULL for the report',
    to_state     String                    COMMENT 'state after',
    at           DateTime('Asia/Shanghai') COMMENT 'when it happened',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
