-- A building appointment keeps its building, without the party member: a building has one leader,
-- so the building would single the member out, and with them their ratings and service.
ALTER TABLE role_building_appointment
    DROP COLUMN member_id
