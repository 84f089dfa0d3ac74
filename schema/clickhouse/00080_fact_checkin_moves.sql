-- A check-in withdrawn, transferred (转接) to another community, or re-verified for a year
-- reaches the warehouse: when it ended, the check-ins a transfer links, and the latest year it
-- was re-verified for. Who ended it and why stay in Postgres. Postgres has held these columns
-- since 00021_checkin_order_moves: a warehouse loaded before this migration holds check-ins
-- copied without them, which `gridgov etl resync --table fact_checkin` reloads.
ALTER TABLE fact_checkin
    ADD COLUMN ended_at Nullable(DateTime('Asia/Shanghai')) AFTER decided_by,
    ADD COLUMN transferred_to Nullable(UInt64) AFTER ended_at,
    ADD COLUMN transferred_from Nullable(UInt64) AFTER transferred_to,
    ADD COLUMN reverified_year Nullable(UInt16) AFTER transferred_from,
    ADD COLUMN reverified_at Nullable(DateTime('Asia/Shanghai')) AFTER reverified_year,
    COMMENT COLUMN state 'pending, verified, rejected, withdrawn (by the member or a cadre, with a reason) or transferred (转接: to the check-in transferred_to)',
    COMMENT COLUMN ended_at 'when it was withdrawn or transferred; NULL otherwise',
    COMMENT COLUMN transferred_to 'the check-in at the community it was transferred to; join fact_checkin.id; NULL when not transferred',
    COMMENT COLUMN transferred_from 'the check-in it was transferred from; join fact_checkin.id; NULL when not a transfer',
    COMMENT COLUMN reverified_year 'the latest calendar year (Asia/Shanghai) it was re-verified for; a verification counts for the year it was made in; NULL when never re-verified',
    COMMENT COLUMN reverified_at 'when it was last re-verified; NULL when never'
