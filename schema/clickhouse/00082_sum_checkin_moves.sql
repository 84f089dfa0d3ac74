-- The check-in summary counts the check-ins that ended (withdrawn, transferred) and those due for
-- their yearly re-verification. Rebuilt whole after ETL runs that change fact_checkin, so the new
-- columns are filled at the next rebuild.
ALTER TABLE sum_checkin
    ADD COLUMN withdrawn UInt64 AFTER verified,
    ADD COLUMN transferred UInt64 AFTER withdrawn,
    ADD COLUMN reverification_due UInt64 AFTER transferred,
    COMMENT COLUMN verified 'live check-ins in state verified',
    COMMENT COLUMN withdrawn 'live check-ins withdrawn (by the member or a cadre)',
    COMMENT COLUMN transferred 'live check-ins transferred (转接) away from this place: counted where they were',
    COMMENT COLUMN reverification_due 'verified check-ins not verified or re-verified for the year of the rebuild (Asia/Shanghai)'
