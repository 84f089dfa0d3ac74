-- Issues keep their grid but not their building: with the reporter's key, an issue's building is
-- often where the reporter lives.
ALTER TABLE fact_issue
    DROP COLUMN building_id
