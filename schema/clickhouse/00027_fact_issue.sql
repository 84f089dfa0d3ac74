-- The issue register (反映问题和意见建议交办登记表): reported problems and suggestions and how they were handled.
-- Free text (title, description, resolution) stays in Postgres: it may name people.
CREATE TABLE IF NOT EXISTS fact_issue
-- As first created: 00066 drops building_id.
(
    id                UInt64                              COMMENT 'issue id, as in Postgres; the deduplication key',
    street_id         UInt64                              COMMENT 'street (街道) or town; join dim_street',
    community_id      UInt64                              COMMENT 'community (社区); join dim_community',
    grid_id           UInt64                              COMMENT 'grid (网格); join dim_grid',
    building_id       Nullable(UInt64)                    COMMENT 'building (楼栋); join dim_building; NULL when not tied to a building',
    category_id       UInt64                              COMMENT 'category; join dim_issue_category',
    reporter_key      UInt64                              COMMENT 'pseudonymous key of the reporter; joins dim_person.person_key',
    reporter_role     String                              COMMENT 'grid_worker, cadre, party_member or resident',
    state             String                              COMMENT 'reported, accepted, dispatched, in_progress, escalated, returned, resolved, closed or reopened',
    handler_kind      Nullable(String)                    COMMENT 'cadre, unit, party_member or partner; NULL before dispatch',
    handler_key       Nullable(UInt64)                    COMMENT 'pseudonymous key of the handling person; NULL when none or a unit',
    handler_unit_id   Nullable(UInt64)                    COMMENT 'handling unit; join dim_unit; NULL unless handler_kind = unit',
    escalation_level  Nullable(String)                    COMMENT 'community or street when escalated; NULL otherwise',
    due_at            Nullable(DateTime('Asia/Shanghai')) COMMENT 'deadline; NULL when none',
    reported_at       DateTime('Asia/Shanghai')           COMMENT 'when the issue was reported',
    resolved_at       Nullable(DateTime('Asia/Shanghai')) COMMENT 'when it was resolved; NULL before',
    closed_at         Nullable(DateTime('Asia/Shanghai')) COMMENT 'when it was closed out (销号); NULL before',
    resolved_quantity Nullable(Decimal(12, 2))            COMMENT 'quantity resolved, in the category\'s quantity_unit; NULL when not counted',
    is_dispute        UInt8                               COMMENT '1 for a dispute to mediate (矛盾纠纷调解)',
    dispute_outcome   Nullable(String)                    COMMENT 'mediated, partially_mediated, failed or referred; NULL for non-disputes or while open',
    created_at        DateTime('Asia/Shanghai')           COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at        DateTime('Asia/Shanghai')           COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version           UInt64                              COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted        UInt8                               COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
