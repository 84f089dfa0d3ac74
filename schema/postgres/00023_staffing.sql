-- Registers of people on duty kept through the API: grid staffing (grid_assignments), community
-- governance instructors, co-building partners, duty shifts and residents' records. A row is
-- never deleted: it ends (an end date, a cancellation), so a register with its ended rows is
-- its history. One current row per person (or per grid, cadre and role) replaces the former
-- one row per person for ever.
--
-- The first days of the rows already held are filled by a rewrite (ALTER COLUMN TYPE ... USING,
-- as 00015_person_names does), not an UPDATE: versions and row_xid stay as they were, so the
-- rows keep their versions; the warehouse takes the new columns with `gridgov etl resync`.
--
-- Reads of a person's unmasked personal fields (phone, ID number, address) by anyone but the
-- person are written to personal_data_reads, one row per person read per request.

-- Community governance instructors (社区基层治理指导员) end their appointment.
ALTER TABLE governance_instructors
    ADD COLUMN ended_on date,
    ADD CONSTRAINT governance_instructors_dates CHECK (ended_on IS NULL OR ended_on >= appointed_on),
    DROP CONSTRAINT governance_instructors_person_id_key;
CREATE UNIQUE INDEX governance_instructors_current ON governance_instructors (person_id)
    WHERE ended_on IS NULL AND deleted_at IS NULL;

-- Co-building partners (七联共建) serve from a day to a day. The report's seven partners are
-- the street's liaison cadres, community cadres, paired units, property staff, community
-- doctors, community police and building leaders; the people who are none of the other
-- registers' rows are the three kinds below and the contact staff of a paired unit (联点共建单位).
ALTER TABLE partners
    ADD COLUMN started_on date,
    ADD COLUMN ended_on date,
    DROP CONSTRAINT partners_kind_valid,
    DROP CONSTRAINT partners_person_id_key;
ALTER TABLE partners
    ALTER COLUMN started_on TYPE date USING (created_at AT TIME ZONE 'Asia/Shanghai')::date,
    ALTER COLUMN started_on SET NOT NULL,
    ALTER COLUMN started_on SET DEFAULT current_date,
    ADD CONSTRAINT partners_kind_valid
        CHECK (kind IN ('community_police', 'community_doctor', 'property_staff', 'paired_unit_staff')),
    ADD CONSTRAINT partners_dates CHECK (ended_on IS NULL OR ended_on >= started_on);
CREATE UNIQUE INDEX partners_current ON partners (person_id) WHERE ended_on IS NULL AND deleted_at IS NULL;

-- Duty shifts (值班) are scheduled, and cancelled with a reason; a shift whose day has passed
-- uncancelled was held.
ALTER TABLE duty_shifts
    ADD COLUMN cancelled_on date,
    ADD COLUMN cancel_reason text,
    ADD CONSTRAINT duty_shifts_cancel_reason CHECK ((cancelled_on IS NULL) = (cancel_reason IS NULL)),
    DROP CONSTRAINT duty_shifts_facility_id_cadre_id_on_date_key;
CREATE UNIQUE INDEX duty_shifts_one_a_day ON duty_shifts (facility_id, cadre_id, on_date)
    WHERE cancelled_on IS NULL AND deleted_at IS NULL;
CREATE INDEX duty_shifts_community_day ON duty_shifts (community_id, on_date);

-- A resident's record (居民信息) runs from moving in to moving out.
ALTER TABLE residents
    ADD COLUMN moved_in_on date,
    ADD COLUMN moved_out_on date,
    DROP CONSTRAINT residents_person_id_key;
ALTER TABLE residents
    ALTER COLUMN moved_in_on TYPE date USING (collected_at AT TIME ZONE 'Asia/Shanghai')::date,
    ALTER COLUMN moved_in_on SET NOT NULL,
    ALTER COLUMN moved_in_on SET DEFAULT current_date,
    ADD CONSTRAINT residents_dates CHECK (moved_out_on IS NULL OR moved_out_on >= moved_in_on);
CREATE UNIQUE INDEX residents_current ON residents (person_id) WHERE moved_out_on IS NULL AND deleted_at IS NULL;
CREATE INDEX residents_person ON residents (person_id);

-- Who read whose unmasked personal fields, when, in which request: appended once per request
-- that showed any, never changed. Not copied to the warehouse.
CREATE TABLE personal_data_reads (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    reader_id  bigint,          -- the reading person (people.id); null for a token acting for no one
    role       text NOT NULL,   -- the role they read in
    person_id  bigint NOT NULL, -- whose fields were shown (people.id)
    fields     text[] NOT NULL CONSTRAINT personal_data_reads_fields_present CHECK (cardinality(fields) > 0),
    request_id text NOT NULL DEFAULT '',
    row_xid    xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX personal_data_reads_at ON personal_data_reads (at DESC, id DESC);
CREATE INDEX personal_data_reads_person ON personal_data_reads (person_id, at DESC);
CREATE INDEX personal_data_reads_reader ON personal_data_reads (reader_id, at DESC);
SELECT gridgov_append_only('personal_data_reads');
