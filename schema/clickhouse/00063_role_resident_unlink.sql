-- Resident records keep their grid and household, without the person's key or building: joined to
-- dim_person, the grid, household size, gender and birth cohort together single residents out.
ALTER TABLE role_resident
    DROP COLUMN person_key,
    DROP COLUMN building_id
