-- Summary: the members of community mediation rooms (调解室) with the employer unit of their party
-- membership, once per community. Rebuilt from role_mediation_room_member and role_party_member
-- (FINAL, is_deleted = 0) after ETL runs that change them; read without FINAL.
CREATE TABLE IF NOT EXISTS sum_mediation_member
(
    street_id    UInt64 COMMENT 'street (街道) or town of the room; join dim_street',
    community_id UInt64 COMMENT 'community of the room; join dim_community',
    member_id    UInt64 COMMENT 'the party member; join role_party_member',
    unit_id      UInt64 COMMENT 'the member\'s employer; join dim_unit; 0 when the member is no longer live'
)
ENGINE = MergeTree()
ORDER BY (street_id, community_id, member_id)
