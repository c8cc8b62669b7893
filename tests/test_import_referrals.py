"""Referrals from the documented template and from case-management exports written in plain words."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import queries
from ingest.importers import ImportRejected, import_referrals
from ingest.importers.referrals import REFERRALS_COLUMNS
from store import connect
from tests.bad_files.db_state import fresh_copy, table_checksums

TEMPLATE = Path(__file__).resolve().parent.parent / "data" / "templates" / "referrals.csv"
COMPUTED = {"geom", "source", "in_pilot_zone", "district_1959", "district_2023", "nsa", "h3_r8", "h3_r9"}


@pytest.fixture
def db(demo_db_path, tmp_path):
    con = connect(fresh_copy(demo_db_path, tmp_path))
    yield con
    con.close()


def test_template_has_every_field_a_person_fills_in():
    with open(TEMPLATE, newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [c for c in REFERRALS_COLUMNS if c not in COMPUTED]


def test_template_loads_cleanly_and_replaces_the_demo_referrals(db):
    synthetic = db.sql("select count(*) from referrals where source = 'synthetic-demo'").fetchone()[0]
    report = import_referrals(db, TEMPLATE)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 3, 0)
    assert report.rows_unmapped == 1
    assert report.replaced_synthetic == synthetic > 0
    rows = db.sql(
        "select referral_id, referral_type, eligibility, ineligible_reason, in_pilot_zone, district_1959, "
        "source from referrals order by referral_id"
    ).fetchall()
    assert rows == [
        ("EXAMPLE-0001", "arrest", "eligible", None, True, "Central", "referrals.csv"),
        ("EXAMPLE-0002", "social_contact", "ineligible", "open_warrant", True, "Central", "referrals.csv"),
        ("EXAMPLE-0003", "social_contact", "pending", None, None, None, "referrals.csv"),
    ]
    sources = queries.run(db, "data_sources")
    assert sources[sources["table_name"] == "referrals"]["source"].tolist() == ["referrals.csv"]


def test_plain_words_map_to_codes(db, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Referral ID,Referral Date,Type,Offense,Eligible,Reason Ineligible\n"
        "A-1,03/14/2017,Social-contact referral,CDS possession,Not eligible,Open warrant\n"
        "A-2,2017-03-15,ARREST,Larceny (subsistence),eligible,\n"
    )
    report = import_referrals(db, path)
    assert report.rows_loaded == 2, report.lines()
    rows = db.sql(
        "select referral_id, referred_on::varchar, referral_type, offense_category, eligibility, "
        "ineligible_reason from referrals order by 1"
    ).fetchall()
    assert rows == [
        ("A-1", "2017-03-14", "social_contact", "cds_possession", "ineligible", "open_warrant"),
        ("A-2", "2017-03-15", "arrest", "larceny", "eligible", None),
    ]


def test_inconsistent_referrals_are_quarantined_with_every_reason(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "referral_id,referred_on,referral_type,eligibility,enrolled_on,exited_on,lat,lon\n"
        ",2017-03-01,arrest,eligible,,,,\n"
        "B-2,2017-03-01,arrest,pending,2017-03-05,2017-03-02,39.29,-76.62\n"
        "B-3,2099-01-01,arrest,eligible,,,0,0\n"
    )
    report = import_referrals(db, path)
    assert (report.rows_loaded, report.rows_quarantined) == (0, 3)
    reasons = set(report.quarantined_by_reason)
    assert reasons == {
        "referral id missing",
        "enrolled but eligibility is not 'eligible'",
        "exit before enrolment",
        "referral date in the future",
        "coordinates are (0, 0)",
    }
    # nothing loaded: the demo referrals stay, so the app never shows an empty table by accident
    assert db.sql("select count(*) from referrals where source = 'synthetic-demo'").fetchone()[0] > 0


def test_duplicate_referral_ids_are_skipped_and_reimport_changes_nothing(db):
    first = import_referrals(db, TEMPLATE)
    data = ("areas", "arrests", "referrals", "case_managers")
    after = table_checksums(db, data)
    second = import_referrals(db, TEMPLATE)
    assert (second.rows_loaded, second.rows_duplicate) == (0, first.rows_loaded)
    assert table_checksums(db, data) == after


def test_a_referrals_file_given_as_arrests_is_refused(db):
    from ingest.importers import import_arrests

    before = table_checksums(db)
    with pytest.raises(ImportRejected, match="required column 'arrest number' missing"):
        import_arrests(db, TEMPLATE)
    assert table_checksums(db) == before
