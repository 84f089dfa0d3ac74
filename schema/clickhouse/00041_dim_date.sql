-- Calendar days from 2000-01-01 to 2099-12-31, to group facts by day, week, month, quarter or year.
-- Filled once by the next migration; the ETL does not touch it.
CREATE TABLE IF NOT EXISTS dim_date
(
    date        Date   COMMENT 'the day; join with toDate(<a DateTime column>)',
    year        UInt16 COMMENT 'calendar year',
    quarter     UInt8  COMMENT 'quarter 1–4',
    month       UInt8  COMMENT 'month 1–12',
    day         UInt8  COMMENT 'day of the month 1–31',
    day_of_week UInt8  COMMENT 'ISO day of the week: 1 Monday … 7 Sunday',
    iso_week    UInt8  COMMENT 'ISO week of the year 1–53',
    is_weekend  UInt8  COMMENT '1 on Saturday and Sunday',
    yyyymm      UInt32 COMMENT 'year and month as one number, e.g. 202406'
)
ENGINE = ReplacingMergeTree()
ORDER BY date
