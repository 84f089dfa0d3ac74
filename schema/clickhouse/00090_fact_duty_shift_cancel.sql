-- Duty shifts (值班) are cancelled before their day: a shift was held when its day has passed and
-- it was not cancelled. The reason stays in Postgres. Postgres holds the column since
-- 00023_staffing; a warehouse loaded before this migration reloads the table with
-- `gridgov etl resync --table fact_duty_shift`.
ALTER TABLE fact_duty_shift
    ADD COLUMN cancelled_on Nullable(Date) AFTER on_date,
    COMMENT COLUMN cancelled_on 'day the shift was cancelled; NULL for a shift scheduled or held'
