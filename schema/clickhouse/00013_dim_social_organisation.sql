-- Social organisations (社会组织): NGOs, some with their own party organisation.
CREATE TABLE IF NOT EXISTS dim_social_organisation
(
    id            UInt64                    COMMENT 'social organisation id, as in Postgres; the deduplication key',
    name          String                    COMMENT 'organisation name',
    has_party_org UInt8                     COMMENT '1 when it has its own party organisation',
    street_id     Nullable(UInt64)          COMMENT 'street it is registered in; NULL when city-wide',
    registered_on Date                      COMMENT 'day of registration',
    created_at    DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at    DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version       UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted    UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
