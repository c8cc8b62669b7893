-- What the loaded synthetic demo carries on purpose (ingest/demo_effects.py): one row while the arrests
-- or referrals are synthetic, none once real records replaced both.
-- @column arrests_synthetic flag Arrests are synthetic
-- @column referrals_synthetic flag Referrals are synthetic
-- @column arrest_effect share Injected change in eligible pilot-zone arrests after launch
-- @column rearrest_hazard rate Injected re-arrest hazard per month
with sources as (
    select exists (select 1 from arrests where source = 'synthetic-demo') as arrests_synthetic,
           exists (select 1 from referrals where source = 'synthetic-demo') as referrals_synthetic
),

final as (
    select sources.arrests_synthetic, sources.referrals_synthetic,
           coalesce((select value from demo_settings where setting = 'arrest_effect'), 0) as arrest_effect,
           (select value from demo_settings where setting = 'rearrest_hazard') as rearrest_hazard
    from sources
    where sources.arrests_synthetic or sources.referrals_synthetic
)

select arrests_synthetic, referrals_synthetic, arrest_effect, rearrest_hazard
from final
