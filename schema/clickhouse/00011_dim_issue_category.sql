-- Categories of reported issues, with the deadline for handling them.
CREATE TABLE IF NOT EXISTS dim_issue_category
(
    id             UInt64                    COMMENT 'category id, as in Postgres; the deduplication key',
    code           String                    COMMENT 'stable category code',
    name           String                    COMMENT 'English name',
    name_zh        String                    COMMENT 'Chinese name',
    category_group String                    COMMENT 'old_compound, infrastructure, dispute, environment, safety, public_service or suggestion',
    deadline_days  UInt32                    COMMENT 'days allowed from report to resolution',
    quantity_unit  Nullable(String)          COMMENT 'what fact_issue.resolved_quantity counts for this category, e.g. m2; NULL when nothing',
    created_at     DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at     DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version        UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted     UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
