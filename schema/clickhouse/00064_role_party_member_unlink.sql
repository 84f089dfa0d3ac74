-- Party members keep their place, unit and the facts that name them (member_id), but no person key,
-- building or year of joining: a grid holds a handful of members, which any of those would split.
ALTER TABLE role_party_member
    DROP COLUMN person_key,
    DROP COLUMN building_id,
    DROP COLUMN joined_party_year
