-- The database contract. Other modules and outside checks rely on these names;
-- columns may be added, never renamed.

create table if not exists areas (
    area_id     varchar primary key,      -- e.g. 'pilot_zone', 'district:1959-2022:Central', 'nsa:Downtown'
    kind        varchar not null check (kind in ('pilot_zone', 'district', 'neighborhood', 'proposal')),
    name        varchar not null,
    edition     varchar,                  -- districts: '1959-2022' or '2023'; NSAs: '2010'
    geom        geometry not null,        -- EPSG:4326, x = lon, y = lat
    area_km2    double,
    author      varchar,                  -- proposals only
    note        varchar,                  -- proposals only
    created_at  timestamp default current_timestamp
);

-- Measures of each area that do not depend on any filter, written once when areas are loaded
-- (store/area_measures.sql) so the expansion ranking does no geometry per filter change.
-- Added after the first release: `add column if not exists` upgrades an older database in place.
alter table areas add column if not exists central_share double;  -- share of the area inside the Central District 1959-2022
alter table areas add column if not exists centroid_x_m double;   -- area's centroid, EPSG:26985 (NAD83 / Maryland, metres)
alter table areas add column if not exists centroid_y_m double;

-- Closed sets stored as ENUMs in the arrests (a million rows and more): scans compare and group small
-- codes instead of decoding text, about twice as fast for the period counts every page makes. Values
-- read and written as text; a value outside the set is refused like a failed check.
create type if not exists lead_category_code as enum (
    'cds_possession', 'cds_distribution', 'prostitution', 'larceny', 'trespass', 'public_urination');
create type if not exists police_district_name as enum (
    'Central', 'Eastern', 'Northeast', 'Northern', 'Northwest', 'Southeast', 'Southern', 'Southwest', 'Western');

-- arrest_id is unique by construction, not by an index: every import skips the ids already loaded
-- and the repeats within its file (ingest/importers/pipeline.py), and the demo numbers its rows. An
-- index cost a million-row import 1.7 s and 300 MB, and nothing reads arrests by id.
create table if not exists arrests (
    arrest_id          varchar not null,
    arrest_date        date not null,
    arrest_time        time,
    age                integer,
    charge_code        varchar,
    charge_description varchar,
    lead_category      lead_category_code,
    district           varchar,           -- as reported by BPD
    neighborhood       varchar,           -- as reported by BPD
    lat                double,
    lon                double,
    geom               geometry,          -- null when the record has no coordinates (unmapped)
    source             varchar not null,  -- 'synthetic-demo' or the imported file name
    -- spatial assignment, computed set-wise at load time
    in_pilot_zone      boolean,
    district_1959      police_district_name,  -- point-in-polygon district, 1959-2022 edition
    district_2023      police_district_name,  -- point-in-polygon district, 2023 edition
    nsa                varchar,           -- point-in-polygon 2010 Neighborhood Statistical Area
    h3_r8              ubigint,           -- H3 cell ids for density maps
    h3_r9              ubigint
);

create table if not exists case_managers (
    case_manager_id varchar primary key,
    peer_id         varchar not null,
    team            varchar not null,
    start_on        date not null,
    end_on          date,
    source          varchar
);

create table if not exists referrals (
    referral_id       varchar primary key,
    referred_on       date not null,
    referral_type     varchar not null check (referral_type in ('arrest', 'social_contact')),
    offense_category  varchar check (offense_category in (
        'cds_possession', 'cds_distribution', 'prostitution', 'larceny', 'trespass', 'public_urination')),
    lat               double,
    lon               double,
    geom              geometry,
    eligibility       varchar not null check (eligibility in ('eligible', 'ineligible', 'pending')),
    ineligible_reason varchar check (ineligible_reason in (
        'under_supervision', 'disqualifying_record', 'public_safety_threat', 'open_case',
        'open_warrant', 'outside_area', 'declined')),
    intake_on         date,
    enrolled_on       date,
    case_manager_id   varchar,
    exited_on         date,
    exit_reason       varchar,
    rearrested_on     date,
    source            varchar not null,
    in_pilot_zone     boolean,
    district_1959     varchar,
    district_2023     varchar,
    nsa               varchar,
    h3_r8             ubigint,
    h3_r9             ubigint
);

create sequence if not exists import_id_seq start 1;

create table if not exists imports (
    import_id        integer primary key default nextval('import_id_seq'),
    source_file      varchar not null,
    kind             varchar not null,    -- 'arrests', 'referrals', 'demo'
    rows_read        bigint,
    rows_loaded      bigint,
    rows_duplicate   bigint,
    rows_quarantined bigint,
    rows_unmapped    bigint,
    status           varchar,             -- 'loaded' or 'rejected'
    message          varchar,
    as_of            date,                -- latest record date in the file
    started_at       timestamp,
    finished_at      timestamp
);

create table if not exists quarantine (
    import_id   integer not null,
    source_file varchar not null,
    row_number  bigint,                   -- 1-based data row (header excluded)
    field       varchar,
    reason      varchar not null,
    raw         varchar
);

-- The audit trail: who did what, when, with what outcome (issue #18). Written by the app alone and
-- only ever appended to (store/audit.py is its one writer; nothing updates or deletes a row). It holds
-- what the app itself wrote, so a database swap (a refresh while serving) must carry it over.
create table if not exists audit (
    happened_at timestamp not null,      -- UTC
    who      varchar not null,           -- the signed-in identity (e-mail), 'password:staff', or 'cli:<os user>'
    role     varchar,                    -- the role at that moment: 'viewer', 'staff', 'admin'; null if none
    action   varchar not null check (action in (
        'sign_in', 'sign_in_failed', 'sign_out', 'import', 'proposal_saved', 'proposal_deleted',
        'staff_page_opened', 'staff_export_downloaded', 'rollback')),
    subject  varchar,                    -- the file, proposal, page or download concerned
    sha256   varchar,                    -- imports: the file's SHA-256 (hex)
    outcome  varchar not null check (outcome in ('ok', 'refused', 'failed')),
    reason   varchar                     -- in words: why refused or failed, or what came of it
);

-- Whether a record with these precomputed assignments lies in the area `area_id`:
-- 'city', 'pilot_zone', 'district:<edition>:<BPD short name>' or 'nsa:<NSA name>'.
-- Saved proposals are arbitrary polygons and are matched spatially by the queries that need them.
create or replace macro in_area(area_id, pilot, d1959, d2023, nsa) as
    case
        when area_id = 'city' then true
        when area_id = 'pilot_zone' then coalesce(pilot, false)
        when area_id like 'district:1959-2022:%' then coalesce(d1959 = area_id[20:], false)
        when area_id like 'district:2023:%' then coalesce(d2023 = area_id[15:], false)
        when area_id like 'nsa:%' then coalesce(nsa = area_id[5:], false)
        else false
    end;

-- Equity (issue 12): race, sex and age as BPD records them, for counts by group only — never shown
-- row by row. BPD's codes B, W, A, I, U and M, F are read by the importers (ingest/importers); a blank
-- is 'unknown'. Added after the first release, so added in place; rows loaded before read 'unknown'.
create type if not exists race_code as enum ('black', 'white', 'asian', 'american_indian', 'other', 'unknown');
create type if not exists sex_code as enum ('male', 'female', 'unknown');
alter table arrests add column if not exists race race_code default 'unknown';
alter table arrests add column if not exists sex sex_code default 'unknown';
alter table referrals add column if not exists race race_code default 'unknown';
alter table referrals add column if not exists sex sex_code default 'unknown';
alter table referrals add column if not exists age integer;

-- What the synthetic demo injects on purpose (ingest/demo_effects.py), so the Impact page can say which
-- effect the loaded demo carries: 'arrest_effect' (a fraction, 0 = none) and 'rearrest_hazard' (per
-- month, null = the generator's default draws). Written with the synthetic rows; says nothing of real data.
create table if not exists demo_settings (
    setting varchar primary key,
    value   double
);
