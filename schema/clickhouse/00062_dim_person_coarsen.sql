-- dim_person keeps the community of residence and the five-year birth cohort: the year of birth,
-- the grid and building of residence, and the street of the few people placed at a street but no
-- community (with their cohort they would be one of a kind) leave the warehouse. See
-- warehouse/privacy.go.
ALTER TABLE dim_person
    DROP COLUMN birth_year,
    DROP COLUMN street_id,
    DROP COLUMN grid_id,
    DROP COLUMN building_id,
    COMMENT COLUMN community_id 'community of residence; join dim_community; NULL when unknown or when the person is placed at a street only'
