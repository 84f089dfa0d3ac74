-- Participation in activities: one row per person and activity, with role and hours.
CREATE TABLE IF NOT EXISTS fact_activity_participant
(
    id           UInt64                    COMMENT 'participation id, as in Postgres; the deduplication key',
    activity_id  UInt64                    COMMENT 'the activity; join fact_activity',
    street_id    UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id Nullable(UInt64)          COMMENT 'community (社区); join dim_community; NULL when the row is street-wide',
    grid_id      Nullable(UInt64)          COMMENT 'grid; NULL when wider than a grid',
    person_key   UInt64                    COMMENT 'pseudonymous key of the participant (keyed hash of the person id); joins dim_person.person_key',
    role         String                    COMMENT 'party_member, volunteer, cadre, resident or red_steward',
    hours        Decimal(5, 2)             COMMENT 'hours taken part',
    created_at   DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at   DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version      UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted   UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
