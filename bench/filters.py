"""What a viewer changes on each page, and how a new value is picked.

Values are drawn at random (seeded) so most changes ask for figures nobody asked for before: the
query cache cannot hide the database's work. A key a page no longer draws is skipped, not an error;
the harness reports which keys it could not find.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from bench.client import Widget

# url path of the page -> keys of the widgets a viewer changes there ("" is the default page).
# A public viewer picks the period with the quarter slider (domain/disclosure.py: public figures cover
# whole quarters); staff get a date box keyed "period".
PERIOD = "public_period_quarters"
FILTERS_BY_PAGE: dict[str, tuple[str, ...]] = {
    "": (PERIOD,),
    "map": (PERIOD, "map_area", "map_referral_type", "map_offense_category", "map_edition"),
    "referrals": (PERIOD, "referrals_area", "referrals_step"),
    "equity": (PERIOD, "equity_area", "equity_by", "equity_point", "equity_reference"),
    "expansion": (
        PERIOD,
        "rank_kind",
        "rank_by",
        "rank_candidates_only",
        "observed_area",
        "caseload_standard",
    ),
    "brief": (PERIOD, "brief_paper", "brief_proposal"),
    "import_data": (),  # staff only: a public viewer never sees it
}
# A page added later still gets the period every page shares.
DEFAULT_FILTERS = (PERIOD,)


def filters_for(path: str) -> tuple[str, ...]:
    """Keys of the widgets a viewer changes on the page at ``path``."""
    return FILTERS_BY_PAGE.get(path, DEFAULT_FILTERS)


SHORTEST_PERIOD_DAYS = 30


def random_value(widget: Widget, current: object, rng: random.Random) -> object:
    """A new value for ``widget``, different from ``current`` where the widget allows it."""
    if widget.kind == "date_input":
        return random_period(date.fromisoformat(widget.min), date.fromisoformat(widget.max), rng)
    if widget.kind == "checkbox":
        return not bool(current)
    if widget.kind == "slider":  # a range of quarters: first and last label, in order
        first, last = sorted(rng.sample(range(len(widget.options)), 2))
        return [widget.options[first], widget.options[last]]
    choices = [option for option in widget.options if option != current] or list(widget.options)
    if not choices:
        raise ValueError(f"widget {widget.key!r} has no options to choose from")
    picked = rng.choice(choices)
    return [picked] if widget.kind == "button_group" else picked


def random_period(first: date, last: date, rng: random.Random) -> tuple[date, date]:
    """A period of at least a month (or all of [first, last] if shorter) inside [first, last]: what a
    viewer picks in the date range box."""
    span = (last - first).days
    length = rng.randint(min(SHORTEST_PERIOD_DAYS, span), span)
    start = first + timedelta(days=rng.randint(0, span - length))
    return start, start + timedelta(days=length)
