-- Year-end ratings (年终考核) of checked-in party members by their community: good, fair, average or poor.
CREATE TABLE IF NOT EXISTS fact_year_rating
(
    id           UInt64                    COMMENT 'rating id, as in Postgres; the deduplication key',
    member_id    UInt64                    COMMENT 'party member; join role_party_member.id',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    year         UInt16                    COMMENT 'the year rated',
    grade        String                    COMMENT 'good (好), fair (较好), average (一般) or poor (差)',
    rated_by     Nullable(UInt64)          COMMENT 'cadre who rated; join role_cadre',
    rated_at     DateTime('Asia/Shanghai') COMMENT 'when the rating was given',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
