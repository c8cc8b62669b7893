"""LEAD classification: the rule table's mechanics, and the real 2017-2018 BPD sample as the test."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from domain.program import LEAD_CATEGORIES
from ingest.classify import (
    classify_frame,
    classify_in_duckdb,
    classify_one,
    explain_frame,
    load_rules,
    unclassified_top,
)

SAMPLE = "bpd_arrests_2017_2018_sample/BPD_Arrests_2017-01-01_to_2018-02-17.csv"

# (code, description as BPD wrote it, expected category), checked by hand against the sample
REAL_PAIRS = [
    ("4 3550", "CDS", "cds_possession"),
    ("4 3550", "CDS:POSSESS-NOT MARIJUANA", "cds_possession"),
    ("4 3550", "POSS OF COCAINE", "cds_possession"),
    ("1 1111", "CDS VIOLATION", "cds_possession"),
    ("1 0573", "POSS MARIJUANA", "cds_possession"),
    ("3 0233", "CDS:POSS W/INTENT DIST: NARC", "cds_distribution"),
    ("2A0696", "CDS DIST", "cds_distribution"),
    ("2A3550", "DIST OF MARIJUANA", "cds_distribution"),
    ("1 1119", "CDS PWID", "cds_distribution"),
    ("1 0233", "CDS POSS W/INT TO DIST", "cds_distribution"),
    ("1 1093", "PROSTITUTION", "prostitution"),
    ("1 1093", "PROSTITUTION-GENERAL", "prostitution"),
    ("1 0521", "THEFT LESS THAN $100.00", "larceny"),
    ("1 0621", "THEFT: LESS $1,000 VALUE", "larceny"),
    ("1 1137", "THEFT: $100 TO UNDER $1,500", "larceny"),
    ("2 3090", "ROGUE AND VAGABOND", "larceny"),
    ("2 3090", "LARCENY FROM AUTO", "larceny"),
    ("2 2220", "TRESPASSING", "trespass"),
    ("2 2210", "TRESPASS-POSTED PROPERTY", "trespass"),
    (None, "PUBLIC URINATION", "public_urination"),
    (None, "URINATING IN PUBLIC", "public_urination"),
    ("1 3605", "PUBLIC URINATION", "public_urination"),
    ("1 3605", "INDECENT EXPOSURE", None),
    ("1 0622", "THEFT: $1,000 TO UNDER $10,000", None),
    ("1 0623", "THEFT:$10,000 TO UND $100,000", None),
    ("1 1136", "THEFT: $1,500 TO UNDER $25,000", None),
    ("2 0480", "STOLEN AUTO", None),
    ("2 0705", "ARMED ROBBERY", None),
    ("2 0700", "ROBBERY", None),
    ("1 0521", "ROBBERY", None),
    ("2 3000", "BURGLARY-FIRST DEGREE", None),
    ("1 1130", "4TH DEGREE BURGLARY", None),
    ("1 1415", "LARCENY", None),
    ("1 1415", "COMMON ASSAULT", None),
    ("4 3550", "HGV", None),
    ("1 0881", "CDS POSSESS - LG AMT", None),
    ("1 0077", "FAILURE TO APPEAR", None),
    (None, "Unknown Charge", None),
]

VIOLENT_CODES = {"1 1415", "1 1420", "2 0705", "2 0700", "1 0826", "1 0825", "2 0910", "1 0990", "1 1102"}
VIOLENT_WORDS = re.compile(
    r"ASSAULT|ASLT|ROBB|MURDER|HOMICIDE|\bRAPE\b|CARJACK|KIDNAP|ARSON|SHOOT|HANDGUN|FIREARM|\bHGV\b|SEX OFF"
)


def _write_rules(path, rows):
    frame = pd.DataFrame(rows, columns=["stage", "charge_code", "description_regex", "lead_category", "note"])
    frame.to_csv(path, index=False)
    return load_rules(path)


@pytest.fixture(scope="module")
def sample_con(shared_real):
    """The real arrest sample as a DuckDB table with the importer's column names."""
    con = duckdb.connect()
    con.execute(
        "create table sample as select Charge as charge_code, ChargeDescription as charge_description "
        "from read_csv($path, all_varchar = true)",
        {"path": str(shared_real / SAMPLE)},
    )
    yield con
    con.close()


def test_rule_table_is_valid_and_uses_only_contract_categories():
    """Every rule loads, and the categories are exactly the schema's LEAD categories."""
    rules = load_rules()
    assert {r.lead_category for r in rules} - {None} == set(LEAD_CATEGORIES)
    stages = [r.stage for r in rules]
    assert stages == sorted(stages, key=["exclude", "code", "description"].index)


@pytest.mark.parametrize(("code", "description", "expected"), REAL_PAIRS)
def test_hand_checked_pairs(code, description, expected):
    """Real (code, description) pairs from the sample get the category a person would give them."""
    assert classify_one(code, description) == expected


def test_code_matching_ignores_spacing_and_case():
    """'43550', ' 4 3550 ' and '4 3550' are the same CJIS code; descriptions are upper-cased."""
    frame = pd.DataFrame(
        {"charge_code": ["43550", " 4 3550 ", "2a0696"], "charge_description": ["x", None, "cds dist"]}
    )
    assert classify_frame(frame).tolist() == ["cds_possession", "cds_possession", "cds_distribution"]


def test_stage_order_exclude_then_code_then_description(tmp_path):
    """A violent description vetoes the code; a listed code wins over the description fallback."""
    rules = _write_rules(
        tmp_path / "rules.csv",
        [
            ("exclude", "", "ROBBERY", "", "veto"),
            ("code", "1 0521", "", "larceny", "petty theft"),
            ("code", "9 9999", "", "", "known non-LEAD"),
            ("description", "", "TRESPASS", "trespass", "fallback"),
        ],
    )
    frame = pd.DataFrame(
        {
            "charge_code": ["1 0521", "1 0521", "9 9999", None, "7 7777"],
            "charge_description": ["ROBBERY", "TRESPASS", "TRESPASS", "TRESPASS", "SOMETHING"],
        }
    )
    explained = explain_frame(frame, rules=rules)
    assert explained["lead_category"].tolist() == [None, "larceny", None, "trespass", None]
    assert explained["rule_id"].tolist()[:4] == [1, 2, 3, 4]
    assert pd.isna(explained["rule_id"].iat[4])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("code", "1 0521", "", "petty_theft", ""), "lead_category 'petty_theft'"),
        (("description", "", "(unclosed", "larceny", ""), "does not compile"),
        (("exclude", "", "ROBBERY", "larceny", ""), "cannot carry a lead_category"),
        (("code", "", "THEFT", "larceny", ""), "needs a charge_code"),
        (("lookup", "", "THEFT", "larceny", ""), "stage 'lookup'"),
    ],
)
def test_bad_rule_rows_are_rejected_with_the_row_named(tmp_path, row, message):
    """A broken rule table fails loudly, naming the row and what was wrong."""
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        _write_rules(tmp_path / "bad.csv", [row])
    assert "row 1" in str(info.value)


def test_classify_in_duckdb_and_unclassified_top():
    """The DuckDB helper fills the column set-wise; the report lists only charges no rule knows."""
    con = duckdb.connect()
    con.execute(
        """
        create table staging as select * from (values
            ('4 3550', 'CDS'), ('4 3550', 'CDS'), (null, 'PUBLIC URINATION'),
            ('1 1415', 'COMMON ASSAULT'), ('8 8888', 'MYSTERY CHARGE'), ('8 8888', 'MYSTERY CHARGE'),
            ('7 7777', 'ODD ONE')
        ) as t(charge_code, charge_description)
        """
    )
    counts = classify_in_duckdb(con, "staging")
    assert counts == {"cds_possession": 2, "public_urination": 1}
    got = con.sql("select lead_category, count(*) from staging group by all order by all").fetchall()
    assert got == [("cds_possession", 2), ("public_urination", 1), (None, 4)]
    top = unclassified_top(con, "staging", n=5)
    assert top.to_dict("records") == [
        {"charge_code": "8 8888", "charge_description": "MYSTERY CHARGE", "arrests": 2},
        {"charge_code": "7 7777", "charge_description": "ODD ONE", "arrests": 1},
    ]


@pytest.mark.real_data
def test_real_sample_pairs_exist(sample_con):
    """The hand-checked pairs are real: each occurs in the sample (so the test tracks real spellings)."""
    present = set(sample_con.sql("select distinct charge_code, charge_description from sample").fetchall())
    missing = [(c, d) for c, d, _ in REAL_PAIRS if (c, d) not in present]
    assert not missing


@pytest.mark.real_data
def test_real_sample_possession_share(sample_con):
    """In the 2017-18 sample 57 % of drug arrests are possession (the 2014 city figure was ~74 %)."""
    counts = classify_in_duckdb(sample_con, "sample")
    share = counts["cds_possession"] / (counts["cds_possession"] + counts["cds_distribution"])
    assert 0.52 < share < 0.62
    assert all(counts.get(c, 0) > 0 for c in LEAD_CATEGORIES)


@pytest.mark.real_data
def test_real_sample_no_violent_charge_classified(sample_con):
    """No assault, robbery, murder, rape, carjacking or weapon charge gets a LEAD category."""
    classify_in_duckdb(sample_con, "sample")
    rows = sample_con.sql(
        "select charge_code, charge_description from sample where lead_category is not null"
    ).fetchall()
    violent = [(c, d) for c, d in rows if c in VIOLENT_CODES or VIOLENT_WORDS.search((d or "").upper())]
    assert not violent


@pytest.mark.real_data
def test_real_sample_unrecognised_charges_are_rare(sample_con):
    """Charges no rule knows are a small tail: under 2 % of arrests, none seen more than 10 times."""
    total = sample_con.sql("select count(*) from sample").fetchone()[0]
    top = unclassified_top(sample_con, "sample", n=10_000)
    assert top["arrests"].sum() < 0.02 * total
    assert top["arrests"].max() <= 10
