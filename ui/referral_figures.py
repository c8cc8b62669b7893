"""Every count the Referrals page shows, tied together by the sums a reader could do, masked once.

The headline row, the charts and their tables repeat and add up to each other (months add up to the
period's referrals, the reasons for not being eligible to referrals minus those found eligible, ...).
In a public view ``domain.privacy.Disclosure`` hides the counts of 1 to 4 and whatever else those sums
would give away, across the whole page at once, so a count withheld in one chart is not shown in
another. A staff view hides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from domain.privacy import Disclosure, hide_where_missing

HEADLINE = ("referrals", "found_eligible", "enrolled", "active_caseload", "rearrested", "eligible_arrests")
TYPES = ("arrest", "social_contact")
FUNNEL = ("referred", "eligibility_confirmed", "intake", "enrolled", "still_active", "exited")
FUNNEL_SAME_AS_HEADLINE = {
    "referred": "referrals",
    "eligibility_confirmed": "found_eligible",
    "enrolled": "enrolled",
}
# Which area groups of the "by area" chart add up to the headline's referrals, for the area picked.
PLACES_IN_AREA = {
    "city": ("pilot_zone", "rest_of_central", "elsewhere", "location_not_recorded"),
    "pilot_zone": ("pilot_zone",),
    "district:1959-2022:Central": ("pilot_zone", "rest_of_central"),
}
CASELOAD_COUNTS = ("max_caseload", "assigned_participants", "unassigned_participants")


@dataclass(frozen=True)
class ReferralTables:
    """Query results for one area and period, as the page loads them (unmasked)."""

    area_id: str
    headline: pd.Series
    over_time: pd.DataFrame | None = None
    funnel: pd.DataFrame | None = None
    reasons: pd.DataFrame | None = None
    offenses: pd.DataFrame | None = None
    places: pd.DataFrame | None = None
    side_by_side: pd.DataFrame | None = None
    around_launch: pd.DataFrame | None = None
    caseload: pd.DataFrame | None = None  # the public summary per month-end


@dataclass(frozen=True)
class ReferralFigures:
    """The same tables with hidden counts missing, and the page's ``Disclosure`` for the headline."""

    counts: Disclosure
    over_time: pd.DataFrame | None
    funnel: pd.DataFrame | None
    reasons: pd.DataFrame | None
    offenses: pd.DataFrame | None
    places: pd.DataFrame | None
    side_by_side: pd.DataFrame | None
    around_launch: pd.DataFrame | None
    caseload: pd.DataFrame | None

    def headline(self, name: str) -> str:
        return self.counts.text(name)

    def headline_hidden(self, name: str) -> bool:
        return self.counts.is_hidden(name)


def referral_figures(tables: ReferralTables, public: bool) -> ReferralFigures:
    """Register every count of the page and every sum between them, then mask them all at once."""
    counts = Disclosure(public)
    for name in HEADLINE:
        counts.count(name, tables.headline[name])

    if tables.over_time is not None:
        frame = tables.over_time
        counts.table("over_time", frame, [*TYPES, "total"], by="period_start")
        counts.rows_add_up("over_time", frame, list(TYPES), "total", by="period_start")
        counts.column_adds_up("over_time", frame, "total", "referrals", by="period_start")

    if tables.side_by_side is not None:
        frame = tables.side_by_side
        counts.table("side_by_side", frame, ["referrals", "eligible_arrests"], by="period_start")
        counts.column_adds_up("side_by_side", frame, "referrals", "referrals", by="period_start")
        counts.column_adds_up(
            "side_by_side", frame, "eligible_arrests", "eligible_arrests", by="period_start"
        )
        if tables.over_time is not None:
            counts.same_rows("side_by_side", frame, "referrals", "over_time", "total", by="period_start")

    if tables.funnel is not None:
        counts.table("funnel", tables.funnel, FUNNEL)
        row = tables.funnel.index[0]
        for column, headline in FUNNEL_SAME_AS_HEADLINE.items():
            counts.adds_up([("funnel", row, column)], headline)
        counts.adds_up([("funnel", row, "still_active"), ("funnel", row, "exited")], "enrolled")

    if tables.reasons is not None:
        counts.table("reasons", tables.reasons, ["people"])
        not_eligible = [("reasons", index, "people") for index in tables.reasons.index]
        counts.adds_up([*not_eligible, "found_eligible"], "referrals")

    if tables.offenses is not None:
        counts.table("offenses", tables.offenses, ["referrals"])
        counts.column_adds_up("offenses", tables.offenses, "referrals", "referrals")

    if tables.places is not None:
        frame = tables.places
        counts.table("places", frame, ["referrals"], by="area_group")
        counts.column_adds_up("places", frame, "referrals", by="area_group")  # the city's total
        in_area = PLACES_IN_AREA.get(tables.area_id)
        if in_area is not None:
            shown = [("places", group, "referrals") for group in frame["area_group"] if group in in_area]
            counts.adds_up(shown, "referrals")

    if tables.around_launch is not None:
        frame = tables.around_launch
        counts.table("around_launch", frame, ["eligible_arrests"])
        # The metrics beside the chart give each group's average month before and after the launch:
        # times the months, those are sums of the chart's months.
        for _, group in frame.groupby("area_group", sort=False):
            for side in (group["months_from_launch"] < 0, group["months_from_launch"] >= 0):
                counts.adds_up([("around_launch", index, "eligible_arrests") for index in group.index[side]])

    if tables.caseload is not None:
        frame = tables.caseload
        counts.table("caseload", frame, list(CASELOAD_COUNTS))
        for index in frame.index[frame["pairs"] == 1]:  # one pair: its caseload is everyone assigned
            counts.adds_up(
                [("caseload", index, "max_caseload")], ("caseload", index, "assigned_participants")
            )

    return ReferralFigures(
        counts=counts,
        over_time=_masked(counts, "over_time", tables.over_time, [*TYPES, "total"], by="period_start"),
        funnel=_masked(counts, "funnel", tables.funnel, FUNNEL),
        reasons=_masked(counts, "reasons", tables.reasons, ["people"]),
        offenses=_masked(counts, "offenses", tables.offenses, ["referrals"]),
        places=_masked(counts, "places", tables.places, ["referrals"], by="area_group"),
        side_by_side=_ratio_hidden(
            _masked(
                counts,
                "side_by_side",
                tables.side_by_side,
                ["referrals", "eligible_arrests"],
                by="period_start",
            ),  # fmt: skip
            ["referrals", "eligible_arrests"],
            ["referrals_per_100"],
        ),
        around_launch=_ratio_hidden(
            _masked(counts, "around_launch", tables.around_launch, ["eligible_arrests"]),
            ["eligible_arrests"],
            ["index_to_before"],
        ),
        caseload=_ratio_hidden(
            _masked(counts, "caseload", tables.caseload, list(CASELOAD_COUNTS)),
            ["assigned_participants", "max_caseload"],
            ["mean_caseload"],
        ),
    )


def _masked(counts: Disclosure, key: str, frame: pd.DataFrame | None, columns, by: str | None = None):
    return None if frame is None else counts.masked(key, frame, columns, by=by)


def _ratio_hidden(frame: pd.DataFrame | None, counts: list[str], derived: list[str]) -> pd.DataFrame | None:
    """Hide figures computed from a count (a ratio, an index, a mean) wherever that count is hidden."""
    if frame is None:
        return None
    for column in counts:
        frame = hide_where_missing(frame, column, derived)
    return frame
