-- Public-welfare venture projects (公益创投) run by social organisations in a community.
CREATE TABLE IF NOT EXISTS dim_venture_project
(
    id                     UInt64                    COMMENT 'project id, as in Postgres; the deduplication key',
    social_organisation_id UInt64                    COMMENT 'organisation running it; join dim_social_organisation',
    street_id              UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id           UInt64                    COMMENT 'community (社区); join dim_community',
    name                   String                    COMMENT 'project name',
    theme                  String                    COMMENT 'hardship_relief, party_building, elderly_care, environment or compound_governance',
    funding_yuan           Decimal(12, 2)            COMMENT 'funding in yuan',
    started_on             Date                      COMMENT 'first day',
    ended_on               Nullable(Date)            COMMENT 'last day; NULL while running',
    created_at             DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at             DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version                UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted             UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
