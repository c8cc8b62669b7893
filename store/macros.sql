-- Table macros: the building blocks several queries share (queries/*.sql call them like tables).
-- DuckDB checks a table macro against the tables when it is created, and these read the referrals'
-- record keys that domain/disclosure.py adds, so store.create_schema runs this file after both
-- schema.sql and the disclosure macros.

-- LEAD-eligible, mapped arrests per month in three area groups (pilot zone, rest of the Central
-- District 1959-2022, elsewhere) for `window_months` complete months either side of `launch_on`,
-- limited to months inside the loaded arrest data. Shared by the before/after-launch queries.
create or replace macro eligible_arrests_around(launch_on, window_months) as table
with window_months as (
    select cast(month as date) as month,
           datediff('month', cast(launch_on as date), month) as months_from_launch
    from generate_series(
        date_trunc('month', cast(launch_on as date)) - to_months(window_months),
        date_trunc('month', cast(launch_on as date)) + to_months(window_months - 1),
        interval 1 month
    ) as series(month)
),

covered_months as (
    select window_months.*
    from window_months, (select min(arrest_date) as first_on, max(arrest_date) as last_on from arrests)
    where window_months.month >= first_on
      and last_day(window_months.month) <= last_on
),

area_groups (group_order, area_group) as (
    values (1, 'pilot_zone'), (2, 'rest_of_central'), (3, 'elsewhere')
),

grouped_arrests as (
    select cast(date_trunc('month', arrest_date) as date) as month,
           case when in_pilot_zone then 'pilot_zone'
                when district_1959 = 'Central' then 'rest_of_central'
                else 'elsewhere' end as area_group
    from arrests
    where lead_category is not null
      and geom is not null
      and arrest_date >= (select min(month) from covered_months)
      and arrest_date <= (select last_day(max(month)) from covered_months)
),

counted as (
    select month, area_group, count(*) as eligible_arrests
    from grouped_arrests
    group by all
)

select covered_months.month, covered_months.months_from_launch, area_groups.group_order,
       area_groups.area_group, coalesce(counted.eligible_arrests, 0) as eligible_arrests
from covered_months
cross join area_groups
left join counted using (month, area_group);

-- The first day of every month (or quarter) from the one holding `from_date` to the one holding
-- `to_date`: the bars of a chart over time, so a step without records still appears. Any other step
-- gives no rows rather than misaligned ones.
create or replace macro period_steps(step, from_date, to_date) as table
select cast(period_start as date) as period_start
from generate_series(
    date_trunc(step, cast(from_date as date)),
    date_trunc(step, cast(to_date as date)),
    to_months(case step when 'quarter' then 3 else 1 end)
) as series(period_start)
where step in ('month', 'quarter');

-- Caseload snapshots: the last day of every month from `from_date` to `to_date`, the last one cut
-- to `to_date` itself, so a period ending mid-month is counted on its own last day.
create or replace macro caseload_snapshots(from_date, to_date) as table
select distinct least(last_day(month), cast(to_date as date)) as snapshot_on
from generate_series(
    date_trunc('month', cast(from_date as date)),
    date_trunc('month', cast(to_date as date)),
    interval 1 month
) as series(month);

-- The case manager-peer pairs on staff on each caseload snapshot (started on or before, not yet left).
create or replace macro caseload_pairs_on_staff(from_date, to_date) as table
select snapshots.snapshot_on, case_managers.case_manager_id, case_managers.peer_id
from caseload_snapshots(from_date, to_date) as snapshots
join case_managers
  on case_managers.start_on <= snapshots.snapshot_on
 and (case_managers.end_on is null or case_managers.end_on >= snapshots.snapshot_on);

-- The participants on the caseload on each snapshot: enrolled on or before it and not exited by then,
-- one row each with the case manager they are assigned to (null when none).
create or replace macro caseload_participants(from_date, to_date) as table
select snapshots.snapshot_on, referrals.case_manager_id, referrals.record_key
from caseload_snapshots(from_date, to_date) as snapshots
join referrals
  on referrals.enrolled_on <= snapshots.snapshot_on
 and (referrals.exited_on is null or referrals.exited_on > snapshots.snapshot_on);

-- The LEAD-eligible arrests in one area (an `in_area` id) and period: the one definition of the
-- arrests that the headline figures, the ratio over time, the planner's defaults and the map count.
-- h3_r8 and h3_r9 are null for an arrest without coordinates; race, sex and age are counted by group only
-- (the Equity page).
create or replace macro area_eligible_arrests(area_id, from_date, to_date) as table
select arrest_date, lead_category, h3_r8, h3_r9, race, sex, age
from arrests
where arrest_date between from_date and to_date
  and lead_category is not null
  and in_area(area_id, in_pilot_zone, district_1959, district_2023, nsa);
