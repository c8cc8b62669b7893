-- Referrals in one area and period by the LEAD offense category recorded at referral; every
-- category appears (zero when unused), 'not_recorded' collects referrals without one (often
-- social-contact referrals, which follow no specific offense). Tallied per quarter and category,
-- published by the disclosure macros (public views).
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column offense_category text Offense
-- @column referrals count People referred
with categories (category_order, offense_category) as (
    values (1, 'cds_possession'), (2, 'cds_distribution'), (3, 'prostitution'), (4, 'larceny'),
           (5, 'trespass'), (6, 'public_urination'), (7, 'not_recorded')
),

cells as (
    select grid_quarter(referred_on) as cell_quarter,
           coalesce(offense_category, 'not_recorded') as offense_category,
           tally(record_key, true) as referrals
    from referrals
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
    group by all
),

counted as (
    select offense_category, published_sum(referrals, $public) as referrals
    from cells
    group by offense_category
),

final as (
    select categories.category_order, categories.offense_category, coalesce(counted.referrals, 0) as referrals
    from categories
    left join counted using (offense_category)
)

select offense_category, referrals
from final
order by category_order
