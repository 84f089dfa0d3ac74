-- Statisticians' saved queries (POST /analytics/queries): a named SELECT with typed parameters
-- ({name:Type} in its text), kept by the statistician who saved it (the token's subject, '' for
-- a token without one) and shared with every statistician when shared; and each run of one by
-- name through POST /analytics/sql, with its parameters, the rows ClickHouse read, the rows
-- returned and the time taken.
CREATE TABLE saved_queries (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CONSTRAINT saved_queries_name_valid CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    owner      text NOT NULL,
    sql        text NOT NULL,
    params     jsonb NOT NULL DEFAULT '[]',  -- [{"name": "from", "type": "Date"}, ...]
    shared     boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT saved_queries_name_once UNIQUE (name)
);

CREATE TABLE saved_query_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    query_id    bigint NOT NULL REFERENCES saved_queries ON DELETE CASCADE,
    runner      text NOT NULL,
    params      jsonb NOT NULL,
    format      text NOT NULL,
    started_at  timestamptz NOT NULL,
    seconds     double precision NOT NULL,
    rows_read   bigint NOT NULL,
    result_rows bigint NOT NULL,
    error_code  text  -- NULL when the run completed
);
CREATE INDEX saved_query_runs_query ON saved_query_runs (query_id, id DESC);
