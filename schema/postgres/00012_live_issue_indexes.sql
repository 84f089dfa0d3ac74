-- The issue register's list indexes hold live rows only. Every list and count filters on
-- deleted_at IS NULL; with the condition in the index, a console's count of a grid's,
-- community's or street's issues is an index-only scan instead of a visit to every row's
-- heap page (a grid of 325 issues: about 300 page reads down to a handful), and the page
-- query reads no tombstones.

DROP INDEX issues_grid_reported;
DROP INDEX issues_community_reported;
DROP INDEX issues_street_reported;
DROP INDEX issues_reported;

CREATE INDEX issues_grid_reported ON issues (grid_id, reported_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX issues_community_reported ON issues (community_id, reported_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX issues_street_reported ON issues (street_id, reported_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX issues_reported ON issues (reported_at DESC, id DESC) WHERE deleted_at IS NULL;
