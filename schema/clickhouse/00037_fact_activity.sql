-- Activities: themed party days, legal publicity, micro-classrooms, intersection duty, the vaccination drive, co-building and volunteer services.
CREATE TABLE IF NOT EXISTS fact_activity
(
    id                     UInt64                    COMMENT 'activity id, as in Postgres; the deduplication key',
    kind                   String                    COMMENT 'themed_party_day, legal_publicity, micro_classroom, intersection_duty, vaccination_drive, co_building_service, micro_welfare or volunteer_service',
    title                  String                    COMMENT 'activity title',
    street_id              UInt64                    COMMENT 'street (街道) or town; join dim_street',
    community_id           Nullable(UInt64)          COMMENT 'community (社区); join dim_community; NULL when the row is street-wide',
    grid_id                Nullable(UInt64)          COMMENT 'grid; NULL when wider than a grid',
    intersection_id        Nullable(UInt64)          COMMENT 'intersection for traffic duty; join dim_intersection',
    organiser_unit_id      Nullable(UInt64)          COMMENT 'organising unit; join dim_unit',
    team_id                Nullable(UInt64)          COMMENT 'organising volunteer team; join dim_volunteer_team',
    social_organisation_id Nullable(UInt64)          COMMENT 'organising social organisation',
    venture_project_id     Nullable(UInt64)          COMMENT 'venture project it belongs to',
    starts_at              DateTime('Asia/Shanghai') COMMENT 'start',
    ends_at                DateTime('Asia/Shanghai') COMMENT 'end',
    people_served          UInt32                    COMMENT 'people served',
    created_at             DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at             DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version                UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted             UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
