-- Saved queries change: their owner updates the SQL, parameters, description or shared flag
-- (PATCH /analytics/queries/{name}) at the version they last read, which each change bumps, and
-- deletes them (DELETE /analytics/queries/{name}; their runs go with them, ON DELETE CASCADE).
ALTER TABLE saved_queries
    ADD COLUMN description text NOT NULL DEFAULT '' CONSTRAINT saved_queries_description_length CHECK (length(description) <= 2000),
    ADD COLUMN version     bigint NOT NULL DEFAULT 1,
    ADD COLUMN updated_at  timestamptz;
UPDATE saved_queries SET updated_at = created_at;
ALTER TABLE saved_queries ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN updated_at SET DEFAULT now();
