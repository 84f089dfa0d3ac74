-- Fills dim_date. Re-running it is harmless: ReplacingMergeTree keeps one row per day.
INSERT INTO dim_date (date, year, quarter, month, day, day_of_week, iso_week, is_weekend, yyyymm)
SELECT d, toYear(d), toQuarter(d), toMonth(d), toDayOfMonth(d), toDayOfWeek(d), toISOWeek(d), toDayOfWeek(d) >= 6, toYYYYMM(d)
FROM (SELECT toDate('2000-01-01') + number AS d FROM numbers(36525))
