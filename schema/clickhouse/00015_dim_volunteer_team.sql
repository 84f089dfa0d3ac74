-- Volunteer teams (志愿服务队), typed by who organises them.
CREATE TABLE IF NOT EXISTS dim_volunteer_team
(
    id                     UInt64                    COMMENT 'team id, as in Postgres; the deduplication key',
    name                   String                    COMMENT 'team name',
    team_type              String                    COMMENT 'municipal_agency (市直机关), social_organisation (社会组织) or town_street (镇街)',
    unit_id                Nullable(UInt64)          COMMENT 'organising unit for municipal_agency teams; join dim_unit',
    social_organisation_id Nullable(UInt64)          COMMENT 'organising social organisation for social_organisation teams',
    street_id              Nullable(UInt64)          COMMENT 'organising street for town_street teams',
    is_volunteer_police    UInt8                     COMMENT '1 for a volunteer-police team (义警)',
    founded_on             Date                      COMMENT 'day the team was founded',
    created_at             DateTime('Asia/Shanghai') COMMENT 'when the row was created in Postgres (Asia/Shanghai)',
    updated_at             DateTime('Asia/Shanghai') COMMENT 'when the row was last changed in Postgres (Asia/Shanghai)',
    version                UInt64                    COMMENT 'row version: grows with every change of the row; the highest version of an id is current',
    is_deleted             UInt8                     COMMENT '1 when the row was deleted in Postgres; read with FINAL (or argMax by version) and keep is_deleted = 0'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
