-- Metric view: registered volunteers by team type, one definition for the indicators and for SQL.
-- Per place and team type: the live volunteers, and of them the members of volunteer-police teams
-- (义警). team_type is municipal_agency, social_organisation or town_street, or none for the
-- volunteers in no team; sums over it give indicators.volunteers.registered, .police and .teams.
CREATE VIEW IF NOT EXISTS metric_volunteer AS
SELECT street_id, community_id, grid_id, if(type = '', 'none', type) AS team_type, volunteers, volunteers * is_police AS police
FROM sum_volunteer
ANY LEFT JOIN (SELECT id AS team_id, team_type AS type, is_volunteer_police AS is_police FROM dim_volunteer_team FINAL WHERE is_deleted = 0) AS t
USING team_id
