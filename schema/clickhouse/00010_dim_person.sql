-- People as pseudonymous keys with coarse attributes only: gender, a five-year birth cohort and the
-- community of residence. Names, phone numbers, ID numbers, addresses, the year of birth and the
-- street, grid and building of residence never leave Postgres.
CREATE TABLE IF NOT EXISTS dim_person
-- As first created: 00060 to 00062 replace birth_year by birth_cohort and drop street_id, grid_id and building_id.
(
    person_key   UInt64                    COMMENT 'pseudonymous key of the person: a keyed hash (HMAC-SHA256, truncated) of the Postgres id; the deduplication key',
    gender       Nullable(String)          COMMENT 'male or female; NULL when unknown',
    birth_year   Nullable(UInt16)          COMMENT 'year of birth; NULL when unknown',
    street_id    Nullable(UInt64)          COMMENT 'street of residence; NULL when unknown',
    community_id Nullable(UInt64)          COMMENT 'community of residence; NULL when unknown',
    grid_id      Nullable(UInt64)          COMMENT 'grid of residence; NULL when unknown',
    building_id  Nullable(UInt64)          COMMENT 'building of residence; NULL when unknown',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY person_key
