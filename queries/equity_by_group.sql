-- Equity: the people at each decision point, per quarter, by race, by sex and by age band, in one area
-- and period — LEAD-eligible arrests (the `area_eligible_arrests` macro), then the referrals made in the
-- area and what became of them: eligibility confirmed, enrolled, still engaged or completed (enrolled and
-- not exited, or exited by completing the program). One row per calendar year, breakdown and group (a
-- group with nothing in a year has no row): the page adds the years up for the period and compares them
-- year by year. Referral counts are tallied per quarter and group and published by the disclosure macros
-- (public views), then summed into years; arrest counts are exact (BPD's open data). Ages are banded
-- here with the edges `domain.equity.AGE_EDGES` gives (band 0 below the first edge, -1 no age).
-- @param area_id str district:1959-2022:Central  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2018-12-31  last day of the period
-- @param public bool true  true: published referral counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @param age_edges str 18,25,35,45,55  lower edge of every age band after the first, comma-separated
-- @column year number Year
-- @column breakdown text Breakdown
-- @column grp text Group
-- @column eligible_arrests count LEAD-eligible arrests
-- @column referred count Referred
-- @column eligibility_confirmed count Eligibility confirmed
-- @column enrolled count Enrolled
-- @column engaged count Still engaged or completed
with edges as (
    select cast(string_split($age_edges, ',') as integer[]) as edge
),

arrest_people as (
    -- a million arrests fold to a few thousand (year, race, sex, age) rows before any banding; arrests
    -- are counted exactly, so they need no quarter cells
    select year(arrest_date) as year, race, sex, age, count(*) as n
    from area_eligible_arrests($area_id, $start_date, $end_date)
    group by all
),

arrest_banded as (
    select year, cast(race as varchar) as race, cast(sex as varchar) as sex,
           case when age is null then -1
                else len(list_filter(edges.edge, e -> e <= age)) end as age_band,
           n
    from arrest_people, edges
),

arrest_cells as (
    select year,
           case when grouping(race) = 0 then 'race' when grouping(sex) = 0 then 'sex' else 'age_band' end
               as breakdown,
           coalesce(race, sex, cast(age_band as varchar)) as grp,
           sum(n) as eligible_arrests
    from arrest_banded
    group by grouping sets ((year, race), (year, sex), (year, age_band))
),

area_referrals as (
    select grid_quarter(referred_on) as quarter, cast(race as varchar) as race, cast(sex as varchar) as sex,
           case when age is null then -1
                else len(list_filter(edges.edge, e -> e <= age)) end as age_band,
           eligibility, enrolled_on, exited_on, exit_reason, record_key
    from referrals, edges
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

referral_cells as (
    -- one cell per quarter and group: the rounding's unit (domain/disclosure.py)
    select quarter,
           case when grouping(race) = 0 then 'race' when grouping(sex) = 0 then 'sex' else 'age_band' end
               as breakdown,
           coalesce(race, sex, cast(age_band as varchar)) as grp,
           tally(record_key, true) as referred,
           tally(record_key, eligibility = 'eligible') as eligibility_confirmed,
           tally(record_key, enrolled_on is not null) as enrolled,
           tally(record_key, enrolled_on is not null
                             and (exited_on is null or lower(trim(exit_reason)) = 'completed')) as engaged
    from area_referrals
    group by grouping sets ((quarter, race), (quarter, sex), (quarter, age_band))
),

referral_counts as (
    -- each quarter's cell published, then the quarters of a year summed (domain/disclosure.py)
    select year(quarter) as year, breakdown, grp,
           sum(published(referred.n, referred.k, $public)) as referred,
           sum(published(eligibility_confirmed.n, eligibility_confirmed.k, $public)) as eligibility_confirmed,
           sum(published(enrolled.n, enrolled.k, $public)) as enrolled,
           sum(published(engaged.n, engaged.k, $public)) as engaged
    from referral_cells
    group by all
),

final as (
    select cast(year as integer) as year, breakdown, grp,
           cast(coalesce(a.eligible_arrests, 0) as bigint) as eligible_arrests,
           cast(coalesce(r.referred, 0) as bigint) as referred,
           cast(coalesce(r.eligibility_confirmed, 0) as bigint) as eligibility_confirmed,
           cast(coalesce(r.enrolled, 0) as bigint) as enrolled,
           cast(coalesce(r.engaged, 0) as bigint) as engaged
    from arrest_cells as a
    full outer join referral_counts as r using (year, breakdown, grp)
)

select * from final
order by year, breakdown, grp
