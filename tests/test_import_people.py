"""Race, sex and age from arrest and referral files: BPD's codes and plain words to the stored codes, a
blank to 'unknown', any other value quarantined by row and field — never a crash."""

from __future__ import annotations

import pytest

from ingest.importers import import_arrests, import_referrals
from ingest.importers.people import RACE_ACCEPTED
from store import connect
from tests.bad_files.db_state import fresh_copy

HEADER = "Arrest,Age,Sex,Race,ArrestDate,ArrestTime,Charge,ChargeDescription,District,Latitude,Longitude"


@pytest.fixture
def db(demo_db_path, tmp_path):
    con = connect(fresh_copy(demo_db_path, tmp_path))
    yield con
    con.close()


def _arrest(number: int, sex: str, race: str) -> str:
    return f"{number},30,{sex},{race},03/01/2018,10:00,4 3550,POSSESSION,Central,,"


def test_bpd_codes_and_blanks_are_stored_as_codes(db, tmp_path):
    path = tmp_path / "arrests.csv"
    rows = [_arrest(1, "M", "B"), _arrest(2, "F", "W"), _arrest(3, "", ""), _arrest(4, "m", "I"),
            _arrest(5, "U", "A"), _arrest(6, "Female", "Black")]  # fmt: skip
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    report = import_arrests(db, path)
    assert (report.rows_loaded, report.rows_quarantined) == (6, 0), report.lines()
    stored = db.sql("select arrest_id, race::varchar, sex::varchar from arrests order by 1").fetchall()
    assert stored == [
        ("1", "black", "male"), ("2", "white", "female"), ("3", "unknown", "unknown"),
        ("4", "american_indian", "male"), ("5", "asian", "unknown"), ("6", "black", "female"),
    ]  # fmt: skip
    assert not report.columns_not_stored  # Race and Sex are read now, not left out


def test_a_value_outside_the_set_is_quarantined_by_row_and_field(db, tmp_path):
    path = tmp_path / "arrests.csv"
    path.write_text(
        "\n".join([HEADER, _arrest(1, "M", "B"), _arrest(2, "X", "B"), _arrest(3, "M", "Q")]) + "\n"
    )
    report = import_arrests(db, path)
    assert (report.rows_loaded, report.rows_quarantined) == (1, 2)
    held = db.execute(
        "select row_number, field, reason from quarantine where import_id = ? order by 1", [report.import_id]
    ).fetchall()
    assert [(row, field) for row, field, _ in held] == [(2, "Sex"), (3, "Race")]
    # the refusal names what BPD writes (letters) before the words, not the stored codes
    assert held[0][2] == "sex is not one of: M, F, U or a word for one (Male, Female, Unknown)"
    assert held[1][2].startswith("race is not one of: B, W, A, I, O, U or a word for one (Black, White")


def test_a_file_without_the_columns_stores_unknown(db, tmp_path):
    path = tmp_path / "arrests.csv"
    path.write_text("Arrest,ArrestDate,Charge\n1,03/01/2018,4 3550\n")
    report = import_arrests(db, path)
    assert report.rows_loaded == 1
    assert db.sql("select race::varchar, sex::varchar from arrests").fetchall() == [("unknown", "unknown")]


def test_referrals_carry_race_sex_and_age(db, tmp_path):
    path = tmp_path / "referrals.csv"
    path.write_text(
        "referral_id,referred_on,referral_type,eligibility,race,sex,age\n"
        "R-1,2018-03-01,arrest,eligible,B,M,34\n"
        "R-2,2018-03-02,social_contact,pending,White,female,\n"
        "R-3,2018-03-03,arrest,eligible,,,\n"
        "R-4,2018-03-04,arrest,eligible,purple,M,40\n"
        "R-5,2018-03-05,arrest,eligible,B,M,old\n"
    )
    report = import_referrals(db, path)
    assert (report.rows_loaded, report.rows_quarantined) == (3, 2), report.lines()
    assert db.sql(
        "select referral_id, race::varchar, sex::varchar, age from referrals order by 1"
    ).fetchall() == [
        ("R-1", "black", "male", 34),
        ("R-2", "white", "female", None),
        ("R-3", "unknown", "unknown", None),
    ]
    reasons = set(report.quarantined_by_reason)
    assert {f"race is not one of: {RACE_ACCEPTED}", "age is not a whole number from 0 to 120"} <= reasons
