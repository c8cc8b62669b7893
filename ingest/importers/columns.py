"""Recognise a file's columns by alias: which header names feed which database field.

Header names are compared after :func:`header_key` (lower case, letters and digits only), so
``ArrestDate``, ``arrest_date`` and ``Arrest Date`` are the same column. Each field lists its aliases
in order of preference; the first one present in the file wins.

>>> match = match_columns(["Arrest", "ArrestDate", "ChargeDescription", "Post", "Colour"], ARRESTS_LAYOUT)
>>> match.source["arrest_id"], match.unknown
('Arrest', ['Colour'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    """One database field and the header names that may carry it."""

    name: str
    label: str  # how the report names it
    aliases: tuple[str, ...]  # header names as publishers write them, preferred first
    required: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(header_key(alias) for alias in self.aliases)


@dataclass(frozen=True)
class Layout:
    """What a kind of file may contain: stored fields, and columns known but deliberately not stored."""

    kind: str  # 'arrests' or 'referrals'
    fields: tuple[Field, ...]
    not_stored: tuple[str, ...] = ()
    # at least one field of each group must be present (e.g. a charge code or a description)
    one_of: tuple[tuple[str, ...], ...] = ()

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass
class ColumnMatch:
    """Result of matching a header against a layout."""

    source: dict[str, str] = field(default_factory=dict)  # field name -> header name
    position: dict[str, int] = field(default_factory=dict)  # field name -> column index
    not_stored: list[str] = field(default_factory=list)  # known columns left out on purpose
    unknown: list[str] = field(default_factory=list)
    missing_required: list[Field] = field(default_factory=list)
    missing_optional: list[Field] = field(default_factory=list)
    missing_one_of: list[tuple[Field, ...]] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # header names that appear more than once

    @property
    def complete(self) -> bool:
        return not self.missing_required and not self.missing_one_of


def header_key(name: str) -> str:
    """A header name as compared: lower case, letters and digits only.

    >>> header_key(" Location 1 "), header_key("arrest_date")
    ('location1', 'arrestdate')
    """
    return re.sub(r"[^0-9a-z]", "", name.lower())


# Open Baltimore has published "BPD Arrests" in two layouts: the classic Socrata CSV
# (Arrest, Sex, ArrestDate MM/DD/YYYY, ArrestTime, Location 1) and the ArcGIS Hub export
# (ArrestNumber, Gender, ArrestDateTime ISO, IncidentOffence, GeoLocation). Both give the point
# as "(lat, lon)" text as well as (classic) separate Latitude/Longitude columns.
ARRESTS_LAYOUT = Layout(
    kind="arrests",
    fields=(
        Field(
            "arrest_id", "arrest number", ("Arrest", "ArrestNumber", "ArrestID", "ArrestNo"), required=True
        ),
        Field("arrest_date", "arrest date", ("ArrestDate", "ArrestDateTime", "Date"), required=True),
        Field("arrest_time", "arrest time", ("ArrestTime", "Time")),
        Field("age", "age", ("Age", "AgeAtArrest")),
        Field("race", "race", ("Race",)),
        Field("sex", "sex", ("Sex", "Gender")),
        Field("charge_code", "charge code", ("Charge", "ChargeCode")),
        Field("charge_description", "charge description", ("ChargeDescription", "ChargeDesc", "Description")),
        Field("district", "district", ("District", "PoliceDistrict")),
        Field("neighborhood", "neighborhood", ("Neighborhood", "Neighbourhood")),
        Field("lat", "latitude", ("Latitude", "Lat")),
        Field("lon", "longitude", ("Longitude", "Lon", "Long", "Lng")),
        Field("location", "location '(lat, lon)'", ("Location 1", "GeoLocation", "Location")),
    ),
    # Read and deliberately not stored: the schema keeps no addresses.
    not_stored=(
        "ArrestLocation",
        "IncidentOffense",
        "IncidentOffence",
        "IncidentLocation",
        "Post",
        "RowID",
        "ObjectID",
        "FID",
        "X",
        "Y",
        "Shape",
    ),
    one_of=(("charge_code", "charge_description"),),
)

REFERRALS_LAYOUT = Layout(
    kind="referrals",
    fields=(
        Field("referral_id", "referral id", ("referral_id", "ReferralID", "Referral", "ID"), required=True),
        Field("referred_on", "referral date", ("referred_on", "ReferralDate", "DateReferred"), required=True),
        Field("referral_type", "referral type", ("referral_type", "Type"), required=True),
        Field("offense_category", "offense category", ("offense_category", "LeadCategory", "Offense")),
        Field("lat", "latitude", ("lat", "Latitude")),
        Field("lon", "longitude", ("lon", "Longitude", "Lng", "Long")),
        Field("eligibility", "eligibility", ("eligibility", "Eligible", "EligibilityStatus"), required=True),
        Field("ineligible_reason", "ineligible reason", ("ineligible_reason", "ReasonIneligible")),
        Field("intake_on", "intake date", ("intake_on", "IntakeDate")),
        Field(
            "enrolled_on", "enrolment date", ("enrolled_on", "EnrollmentDate", "EnrolmentDate", "Enrolled")
        ),
        Field("case_manager_id", "case manager id", ("case_manager_id", "CaseManager")),
        Field("exited_on", "exit date", ("exited_on", "ExitDate")),
        Field("exit_reason", "exit reason", ("exit_reason",)),
        Field("rearrested_on", "re-arrest date", ("rearrested_on", "RearrestDate")),
        Field("race", "race", ("race", "Race")),
        Field("sex", "sex", ("sex", "Sex", "Gender")),
        Field("age", "age", ("age", "Age", "AgeAtReferral")),
    ),
    not_stored=("Notes", "Note", "Comments"),
)


def known_header(name: str, layout: Layout) -> bool:
    """Whether a header name is one the layout recognises (stored or not)."""
    key = header_key(name)
    return key in _not_stored_keys(layout) or any(key in f.keys for f in layout.fields)


def match_columns(header: list[str], layout: Layout) -> ColumnMatch:
    """Which header column feeds each field of ``layout``, and what is missing or unknown."""
    keys = [header_key(name) for name in header]
    first_index: dict[str, int] = {}
    match = ColumnMatch()
    for index, key in enumerate(keys):
        if key in first_index:
            match.repeated.append(header[index])
        else:
            first_index[key] = index
    used: set[int] = set()
    for f in layout.fields:
        index = next(
            (first_index[k] for k in f.keys if k in first_index and first_index[k] not in used), None
        )
        if index is None:
            (match.missing_required if f.required else match.missing_optional).append(f)
            continue
        used.add(index)
        match.source[f.name] = header[index]
        match.position[f.name] = index
    for group in layout.one_of:
        if not any(name in match.source for name in group):
            match.missing_one_of.append(tuple(layout.field(name) for name in group))
    not_stored = _not_stored_keys(layout)
    for index, name in enumerate(header):
        if index in used or first_index[keys[index]] != index:
            continue
        (match.not_stored if keys[index] in not_stored else match.unknown).append(name)
    return match


def describe_missing(match: ColumnMatch, header: list[str]) -> str:
    """Why a header cannot be loaded, in words: the missing fields, their aliases, what was found."""
    parts = []
    for f in match.missing_required:
        parts.append(f"required column '{f.label}' missing (accepted names: {_alias_list(f)})")
    for group in match.missing_one_of:
        labels = " or ".join(f"'{f.label}' ({_alias_list(f)})" for f in group)
        parts.append(f"needs a column for {labels}")
    found = ", ".join(repr(name) for name in header[:30]) or "none"
    more = f" and {len(header) - 30} more" if len(header) > 30 else ""
    return "; ".join(parts) + f" — columns found: {found}{more}"


def _alias_list(f: Field) -> str:
    return ", ".join(f.aliases)


def _not_stored_keys(layout: Layout) -> set[str]:
    return {header_key(name) for name in layout.not_stored}
