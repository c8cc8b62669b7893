-- The audit trail, newest first (admin page; its CSV export has the same columns).
-- @param max_rows int 1000  how many rows to list
-- @column happened_at date When (UTC)
-- @column who text Who
-- @column role text Role
-- @column action text What
-- @column subject text Concerning
-- @column sha256 text File SHA-256
-- @column outcome text Outcome
-- @column reason text Reason
with rows as (
    select happened_at, who, role, action, subject, sha256, outcome, reason
    from audit
),

final as (
    select happened_at, who, role, action, subject, sha256, outcome, reason
    from rows
    order by happened_at desc
    limit $max_rows
)

select * from final
