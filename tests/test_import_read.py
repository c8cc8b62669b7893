"""File reading and column recognition, piece by piece."""

from __future__ import annotations

import codecs
import re

import duckdb
import pytest

from ingest.importers.columns import ARRESTS_LAYOUT, REFERRALS_LAYOUT, describe_missing, match_columns
from ingest.importers.read import ImportRejected, _records, _sniff_encoding, stage_file


def known(name: str) -> bool:
    return name.lower() in {"arrest", "arrestdate", "charge"}


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def stage(con, tmp_path, content: bytes, name: str = "f.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return stage_file(con, path, name, "arrests", "staged", known)


def staged_rows(con) -> list[tuple]:
    return con.sql("select * exclude (row_number), row_number from staged order by row_number").fetchall()


def test_records_keep_quoted_newlines_and_skip_blank_lines():
    text = 'a,b\n1,"two\nlines"\n\n2,x\n'
    assert list(_records(text)) == [
        (0, "a,b", False),
        (1, '1,"two\nlines"', False),
        (1, None, False),
        (2, "2,x", False),
    ]


def test_an_unterminated_quote_mid_file_costs_one_row():
    text = 'a,b\n1,x\n2,"broken\n3,y\n4,z\n'
    records = [(n, r, bad) for n, r, bad in _records(text) if r is not None]
    assert records[2] == (2, '2,"broken', True)
    assert records[3:] == [(3, "3,y", False), (4, "4,z", False)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF8 + b"a,b\n", "utf-8-sig"),
        ("a,b\n1,é\n".encode("utf-16"), "utf-16"),
        ("a,b\n1,x\n".encode("utf-16-le"), "utf-16-le"),
        ("a,b\n1,x\n".encode("utf-16-be"), "utf-16-be"),
        ("a,b\n1,é\n".encode(), "utf-8"),
        ("a,b\n1,é\n".encode("cp1252"), "Windows-1252 / Latin-1"),
    ],
)
def test_encoding_is_recognised(data, expected):
    assert _sniff_encoding(data) == expected


def test_tab_separated_file_is_read_with_row_numbers(con, tmp_path):
    staged = stage(con, tmp_path, b"Arrest\tArrestDate\tCharge\n1\t01/02/2017\t4 3550\n\n2\t01/03/2017\t\n")
    assert staged.delimiter == "\t" and staged.reader == "fast"
    assert staged.header == ["Arrest", "ArrestDate", "Charge"]
    assert staged_rows(con) == [("1", "01/02/2017", "4 3550", 1), ("2", "01/03/2017", None, 2)]


def test_mixed_utf8_and_latin1_bytes_both_decode(con, tmp_path):
    content = "Arrest,Charge\n1,café\n".encode() + "2,Peña\n".encode("cp1252")
    staged = stage(con, tmp_path, content)
    assert staged.reader == "careful"
    assert [r[:2] for r in staged_rows(con)] == [("1", "café"), ("2", "Peña")]


def test_spreadsheet_padding_is_tolerated(con, tmp_path):
    """Trailing empty fields and all-empty rows, as spreadsheets export them, lose nothing."""
    staged = stage(con, tmp_path, b"Arrest,Charge\n1,x,,\n,,\n2,y\n")
    assert staged.rows_read == 2 and staged.blank_rows == 1
    assert [r[:2] for r in staged_rows(con)] == [("1", "x"), ("2", "y")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty (0 bytes)"),
        (b"%PDF-1.7\n", "PDF"),
        (b'{"Arrest": 1}', "JSON"),
        (b"Arrest,Charge\n", "no data rows"),
    ],
)
def test_whole_file_problems_are_named(con, tmp_path, content, message):
    with pytest.raises(ImportRejected, match=re.escape(message)) as refused:
        stage(con, tmp_path, content, name="named.csv")
    assert str(refused.value).startswith("arrests file named.csv: ")


def test_columns_are_matched_by_alias_in_either_layout():
    classic = match_columns(["Arrest", "ArrestDate", "Charge", "Location 1", "Sex"], ARRESTS_LAYOUT)
    hub = match_columns(
        ["RowID", "ArrestNumber", "ArrestDateTime", "ChargeDescription", "GeoLocation"], ARRESTS_LAYOUT
    )
    assert classic.complete and hub.complete
    assert classic.source["location"] == "Location 1" and hub.source["location"] == "GeoLocation"
    assert hub.source["arrest_id"] == "ArrestNumber" and hub.not_stored == ["RowID"]
    assert "arrest time" in [f.label for f in hub.missing_optional]


def test_missing_and_unknown_columns_are_named():
    match = match_columns(["referral_id", "Colour", "colour"], REFERRALS_LAYOUT)
    assert not match.complete
    assert match.unknown == ["Colour"] and match.repeated == ["colour"]
    text = describe_missing(match, ["referral_id", "Colour", "colour"])
    assert "required column 'referral date' missing (accepted names: referred_on, ReferralDate" in text
    assert "columns found: 'referral_id', 'Colour', 'colour'" in text


def test_a_charge_code_or_description_is_enough():
    assert match_columns(["Arrest", "ArrestDate", "ChargeDescription"], ARRESTS_LAYOUT).complete
    lacking = match_columns(["Arrest", "ArrestDate"], ARRESTS_LAYOUT)
    assert "needs a column for 'charge code'" in describe_missing(lacking, ["Arrest", "ArrestDate"])
