-- Summary: the verdicts (满意度回访) given on the resolutions of live issues, superseded ones
-- included, by the local day each was given and place: by value, by channel, and their scores.
-- Rebuilt from fact_issue_event and fact_issue (FINAL, is_deleted = 0) after ETL runs that change
-- them; read without FINAL. Sum any columns over any days and places. The satisfaction rate
-- (满意率) is satisfied / (satisfied + unsatisfied): of the verdicts residents gave, no response
-- left out (it is not a verdict, and counted apart); the register has no grade between satisfied
-- and unsatisfied, so basically satisfied (基本满意) counts as satisfied. The source report on
-- Chaohu defines no rate: it says only that residents' satisfaction rose (居民满意度大幅提升).
CREATE TABLE IF NOT EXISTS sum_issue_verdict_day
(
    verdict_on   Date   COMMENT 'local day the verdict was given: toDate(fact_issue_event.at)',
    street_id    UInt64 COMMENT 'street (街道) or town; join dim_street',
    community_id UInt64 COMMENT 'community (社区); join dim_community',
    grid_id      UInt64 COMMENT 'grid (网格); join dim_grid',
    satisfied    UInt64 COMMENT 'verdicts satisfied (满意): each closed the issue out',
    unsatisfied  UInt64 COMMENT 'verdicts unsatisfied (不满意): each reopened the issue (重办) or sent it to the street',
    no_response  UInt64 COMMENT 'no verdict within the category\'s verdict_days (回访无应答): the scheduler closed the issue',
    by_resident  UInt64 COMMENT 'of the verdicts, given by the resident who reported the issue',
    by_phone     UInt64 COMMENT 'of the verdicts, recorded by a cadre after a phone call with the resident',
    scored       UInt64 COMMENT 'verdicts with a score: satisfied and unsatisfied',
    score_sum    UInt64 COMMENT 'sum of their scores (1 to 5): score_sum / scored is the average score'
)
ENGINE = MergeTree()
ORDER BY (verdict_on, street_id, community_id, grid_id)
