-- Service orders keep their grid but not their building: with the resident's key, an order's building
-- is where the resident lives.
ALTER TABLE fact_service_order
    DROP COLUMN building_id
