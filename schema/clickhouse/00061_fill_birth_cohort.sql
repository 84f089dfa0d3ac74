-- Fills birth_cohort in the rows a warehouse already holds, from the year of birth 00062 drops.
-- The ETL writes it for every row it loads after (etl.Tables).
ALTER TABLE dim_person UPDATE birth_cohort = intDiv(birth_year, 5) * 5 WHERE birth_year IS NOT NULL
