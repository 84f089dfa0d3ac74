-- Units (单位): employers of in-service party members (municipal agencies and stationed units).
CREATE TABLE IF NOT EXISTS dim_unit
(
    id         UInt64                    COMMENT 'unit id, as in Postgres; the deduplication key',
    code       String                    COMMENT 'stable unit code',
    name       String                    COMMENT 'unit name',
    kind       String                    COMMENT 'municipal_agency, stationed_unit, public_institution or state_enterprise',
    is_justice UInt8                     COMMENT '1 for public security, procuratorate, court or justice bureau (公检法司)',
    civilised  UInt8                     COMMENT '1 for a provincial civilised unit (文明单位)',
    created_at DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version    UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
