-- Facilities of a community: service centres (党群服务中心), mediation rooms (法律调解室) and practice stations (新时代文明实践站).
CREATE TABLE IF NOT EXISTS dim_facility
(
    id           UInt64                    COMMENT 'facility id, as in Postgres; the deduplication key',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64                    COMMENT 'community (社区); join dim_community',
    compound_id  Nullable(UInt64)          COMMENT 'compound the facility is in; NULL when outside compounds',
    kind         String                    COMMENT 'service_centre, mediation_room or practice_station',
    name         String                    COMMENT 'facility name',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
