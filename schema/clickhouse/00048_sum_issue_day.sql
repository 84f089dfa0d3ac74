-- Summary: issues by the local day they were reported, place and category, with their state as at
-- the snapshot. Rebuilt from fact_issue and fact_issue_mediator (FINAL, is_deleted = 0) after ETL
-- runs that change them; read without FINAL. Sum any columns over any days and places.
CREATE TABLE IF NOT EXISTS sum_issue_day
(
    reported_on                 Date           COMMENT 'local day reported: toDate(fact_issue.reported_at)',
    street_id                   UInt64         COMMENT 'street (街道) or town; join dim_street',
    community_id                UInt64         COMMENT 'community (社区); join dim_community',
    grid_id                     UInt64         COMMENT 'grid (网格); join dim_grid',
    category_id                 UInt64         COMMENT 'category; join dim_issue_category',
    reported                    UInt64         COMMENT 'live issues reported',
    resolved                    UInt64         COMMENT 'of them, resolved or closed out',
    closed                      UInt64         COMMENT 'of them, closed out (销号)',
    resolved_quantity           Decimal(18, 2) COMMENT 'sum of the resolved issues\' quantities, in the category\'s quantity_unit',
    disputes                    UInt64         COMMENT 'of them, disputes to mediate',
    disputes_mediated           UInt64         COMMENT 'disputes with outcome mediated',
    disputes_mediated_by_cadres UInt64         COMMENT 'mediated disputes with a cadre among their mediators'
)
ENGINE = MergeTree()
ORDER BY (reported_on, street_id, community_id, grid_id, category_id)
