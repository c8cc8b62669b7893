-- Where the loaded records come from: one row per table and source, with the date range. key_sum: the
-- referrals' record keys added up, for publishing their number (domain/disclosure.py); null for arrests.
-- @column table_name text Records
-- @column source text Source
-- @column row_count count Records loaded
-- @column first_date date First date
-- @column last_date date Last date
-- @column is_synthetic flag Synthetic demo data
-- @column key_sum id Record key sum
with arrest_sources as (
    select 'arrests' as table_name, source, count(*) as row_count,
           min(arrest_date) as first_date, max(arrest_date) as last_date, null as key_sum
    from arrests
    group by source
),

referral_sources as (
    select 'referrals' as table_name, source, count(*) as row_count,
           min(referred_on) as first_date, max(referred_on) as last_date,
           cast(sum(record_key) % 1000000000 as bigint) as key_sum
    from referrals
    group by source
),

final as (
    select table_name, source, row_count, first_date, last_date,
           source = 'synthetic-demo' as is_synthetic, key_sum
    from arrest_sources
    union all
    select table_name, source, row_count, first_date, last_date,
           source = 'synthetic-demo' as is_synthetic, key_sum
    from referral_sources
)

select * from final
order by table_name, source
