-- The registers of people on duty (grid staffing, governance instructors, co-building
-- partners, duty shifts, residents' records) write their history to register_events too.
ALTER TABLE register_events DROP CONSTRAINT register_events_register_valid;
ALTER TABLE register_events ADD CONSTRAINT register_events_register_valid
    CHECK (register IN ('red_steward', 'social_organisation', 'social_party_organisation', 'venture_project',
                        'building_notice', 'building_convention', 'grid_assignment', 'governance_instructor', 'partner',
                        'duty_shift', 'resident'));
