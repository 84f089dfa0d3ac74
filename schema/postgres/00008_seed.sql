-- Bookkeeping of `gridgov seed`: the parameters of the seeding in progress and the chunks it
-- has committed, so an interrupted seed resumes where it stopped and a finished one is not
-- repeated. Not replicated: it describes how the data was made, not the city.

CREATE TABLE seed_runs (
    id          integer PRIMARY KEY CHECK (id = 1), -- one seeding per database
    profile     text NOT NULL,
    seed        bigint NOT NULL,
    scale       integer NOT NULL CHECK (scale > 0),
    as_of       date NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

CREATE TABLE seed_chunks (
    job     text NOT NULL,
    chunk   integer NOT NULL,
    rows    bigint NOT NULL,
    done_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job, chunk)
);
