-- The five-year birth cohort of dim_person, filled by 00061 from the year of birth that 00062 drops:
-- with the gender and the community of residence, a year of birth singles people out.
ALTER TABLE dim_person
    ADD COLUMN birth_cohort Nullable(UInt16) AFTER gender,
    COMMENT COLUMN birth_cohort 'five-year birth cohort, as its first year: 1985 for people born 1985 to 1989; NULL when unknown'
