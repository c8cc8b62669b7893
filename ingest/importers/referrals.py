"""Case-management referrals, in the layout of ``data/templates/referrals.csv``, into ``referrals``.

Coded fields accept the codes of ``store/schema.sql`` or their plain-English forms in any case
("Social contact", "social-contact" and "social_contact" are the same), so an export from a
case-management system needs little or no editing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb

from domain import program
from ingest.importers import people
from ingest.importers import validate as v
from ingest.importers.columns import REFERRALS_LAYOUT, ColumnMatch
from ingest.importers.pipeline import Kind, run_import
from ingest.importers.report import ImportReport

# The pilot launched in February 2017 (program.PILOT_LAUNCH); a referral dated before the year it
# started cannot be a LEAD referral.
EARLIEST_REFERRAL = dt.date(program.PILOT_LAUNCH.year, 1, 1)
REFERRALS_COLUMNS = (
    "referral_id",
    "referred_on",
    "referral_type",
    "offense_category",
    "lat",
    "lon",
    "geom",
    "eligibility",
    "ineligible_reason",
    "intake_on",
    "enrolled_on",
    "case_manager_id",
    "exited_on",
    "exit_reason",
    "rearrested_on",
    "source",
    "in_pilot_zone",
    "district_1959",
    "district_2023",
    "nsa",
    "h3_r8",
    "h3_r9",
    "race",
    "sex",
    "age",
)


def _synonyms(
    codes: tuple[str, ...], labels: dict[str, str], extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Written form (as :func:`validate.choice_value` normalises it) -> code."""

    def key(text: str) -> str:
        return "_".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())

    table = {key(code): code for code in codes}
    table.update({key(label): code for code, label in labels.items()})
    table.update({key(k): code for k, code in (extra or {}).items()})
    return table


REFERRAL_TYPES = _synonyms(program.REFERRAL_TYPES, program.REFERRAL_TYPE_LABELS, {"social": "social_contact"})
OFFENSE_CATEGORIES = _synonyms(program.LEAD_CATEGORIES, program.LEAD_CATEGORY_LABELS)
ELIGIBILITY = _synonyms(("eligible", "ineligible", "pending"), {}, {"not eligible": "ineligible"})
INELIGIBLE_REASONS = _synonyms(program.INELIGIBLE_REASONS, program.INELIGIBLE_REASON_LABELS)

# (later date, earlier date, reason): dates in a referral's life cannot run backwards
DATE_ORDER = (
    ("intake_on", "referred_on", "intake before the referral"),
    ("enrolled_on", "referred_on", "enrolment before the referral"),
    ("exited_on", "enrolled_on", "exit before enrolment"),
    ("rearrested_on", "referred_on", "re-arrest before the referral"),
)
DATE_FIELDS = ("referred_on", "intake_on", "enrolled_on", "exited_on", "rearrested_on")


def _describe(rows: v.RowChecks, match: ColumnMatch, box: v.CityBox, today: dt.date) -> None:
    at = match.position.get
    label = {f.name: f.label for f in REFERRALS_LAYOUT.fields}
    rows.text("referral_id", at("referral_id"), label["referral_id"], required=True)
    for name in DATE_FIELDS:
        rows.date(name, at(name), label[name], EARLIEST_REFERRAL, today, required=name == "referred_on")
    rows.choice("referral_type", at("referral_type"), label["referral_type"], REFERRAL_TYPES, required=True)
    rows.choice("offense_category", at("offense_category"), label["offense_category"], OFFENSE_CATEGORIES)
    rows.coordinates(at("lat"), at("lon"), None, box)
    rows.choice("eligibility", at("eligibility"), label["eligibility"], ELIGIBILITY, required=True)
    rows.choice("ineligible_reason", at("ineligible_reason"), label["ineligible_reason"], INELIGIBLE_REASONS)
    rows.text("case_manager_id", at("case_manager_id"))
    rows.text("exit_reason", at("exit_reason"))
    people.describe(rows, match, age=True)
    for later, earlier, reason in DATE_ORDER:
        if at(later) is not None and at(earlier) is not None:
            rows.check(at(later), f"{later} < {earlier}", reason, (at(later), at(earlier)))
    if at("ineligible_reason") is not None:
        rows.check(
            at("ineligible_reason"),
            "ineligible_reason is not null and eligibility is distinct from 'ineligible'",
            "ineligible reason given but eligibility is not 'ineligible'",
            (at("ineligible_reason"), at("eligibility")),
        )
    if at("enrolled_on") is not None:
        rows.check(
            at("enrolled_on"),
            "enrolled_on is not null and eligibility is distinct from 'eligible'",
            "enrolled but eligibility is not 'eligible'",
            (at("enrolled_on"), at("eligibility")),
        )


REFERRALS = Kind(
    layout=REFERRALS_LAYOUT,
    table="referrals",
    id_column="referral_id",
    date_column="referred_on",
    columns=REFERRALS_COLUMNS,
    describe=_describe,
)


def import_referrals(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Load a referrals file in one transaction; return the report (also stored in ``imports``).

    Same contract as :func:`ingest.importers.import_arrests`: real referrals replace the synthetic
    demo referrals, a repeated referral id is skipped, bad rows are quarantined with the reason.
    """
    return run_import(con, Path(path), REFERRALS, name=name, progress=progress, today=today)
