-- Reports generated on schedule (gridgov reports run, and the scheduler on the first day of a
-- month): the files of one kind of report for one place and period, generated once. The
-- place columns hold the place the report is of, as deep as it lies (none for the city), so
-- a token's scope reads the reports of the places inside it with the usual equalities.
CREATE TABLE generated_reports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CONSTRAINT generated_reports_kind_valid CHECK (kind IN ('monthly', 'ledger', 'scorecard')),
    place        text NOT NULL,  -- "city" or the place's global id, as the API names it
    street_id    bigint REFERENCES streets,
    community_id bigint,
    grid_id      bigint,
    period       text NOT NULL CONSTRAINT generated_reports_period_valid CHECK (period ~ '^[0-9]{4}(-[0-9]{2}|-Q[1-4])?$'),
    as_of        timestamptz NOT NULL,  -- the time of the data the report was built from
    xlsx         bytea NOT NULL,
    csv          bytea NOT NULL,
    generated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT generated_reports_once UNIQUE (kind, place, period),
    CONSTRAINT generated_reports_community_fk FOREIGN KEY (community_id, street_id) REFERENCES communities (id, street_id),
    CONSTRAINT generated_reports_grid_fk FOREIGN KEY (grid_id, community_id, street_id) REFERENCES grids (id, community_id, street_id),
    CONSTRAINT generated_reports_place_depth CHECK ((grid_id IS NULL OR community_id IS NOT NULL) AND (community_id IS NULL OR street_id IS NOT NULL))
);
-- The list of a period's reports, newest first, read by scope.
CREATE INDEX generated_reports_period ON generated_reports (period, kind, id DESC);
