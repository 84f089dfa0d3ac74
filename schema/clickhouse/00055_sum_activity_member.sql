-- Summary: the party members taking part in each live activity, once per activity, with the
-- activity's kind, place and day, for counting distinct members over any scope and period. Rebuilt
-- from fact_activity and fact_activity_participant (FINAL, is_deleted = 0) after ETL runs that
-- change them; read without FINAL.
CREATE TABLE IF NOT EXISTS sum_activity_member
(
    started_on   Date   COMMENT 'local day the activity started',
    kind         String COMMENT 'the activity\'s kind',
    street_id    UInt64 COMMENT 'street (街道) or town of the activity; join dim_street',
    community_id UInt64 COMMENT 'community of the activity; join dim_community; 0 when street-wide',
    grid_id      UInt64 COMMENT 'grid of the activity; join dim_grid; 0 when wider than a grid',
    activity_id  UInt64 COMMENT 'the activity; join fact_activity',
    person_key   UInt64 COMMENT 'pseudonymous key of a party member taking part; joins dim_person.person_key'
)
ENGINE = MergeTree()
ORDER BY (started_on, kind, activity_id, person_key)
