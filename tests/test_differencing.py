"""The differencing attack of issue 16, run against the demo database: what it recovered from the old
public view, and that the public view now gives it nothing (domain/disclosure.py).

The attacker asks the public view many questions that differ by a little — the period's end moved a
day at a time, one area against a larger one that holds it, a filter against no filter — and reads
the differences. The old public view showed exact counts whenever they were 5 or more, so a difference
of two such counts gave back counts of 1 to 4 and, one day at a time, each person's referral date and
outcome. The public view now counts whole quarters and publishes every quarter's count rounded to a
multiple of 5 the same way every time; these tests replay the attack on both.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from itertools import combinations

import pytest

import queries
from domain import disclosure
from domain.privacy import public_count
from geo.map_page import MapFilters, load_figures
from screens.overview import area_figures

CENTRAL = "district:1959-2022:Central"
START = date(2017, 2, 1)  # the attacker's fixed start: the launch
HEADLINE = ("referrals", "found_eligible", "enrolled", "rearrested")


@pytest.fixture(scope="module")
def run(demo_con):
    return partial(queries.run, demo_con)


@pytest.fixture(scope="module")
def span(demo_con) -> disclosure.PublicSpan:
    sources = queries.run(demo_con, "data_sources")
    return disclosure.PublicSpan.of(sources["first_date"].min().date(), sources["last_date"].max().date())


def old_public_headline(run, area_id: str, start: date, end: date) -> dict[str, int | None]:
    """The headline as the old public view showed it: any day as the period, exact counts, with only
    the within-page rule (1 to 4 read "fewer than 5", here None)."""
    row = run("referral_headline", area_id=area_id, start_date=start, end_date=end, public=False).iloc[0]
    shown = {field: public_count(row[field], public=True) for field in HEADLINE}
    return {
        field: None if not text[0].isdigit() else int(text.replace(",", "")) for field, text in shown.items()
    }


def new_public_headline(run, span, area_id: str, start: date, end: date) -> dict[str, int]:
    """The headline as the public view shows it now: the asked period snapped to whole quarters of
    complete data (what the sidebar does with a link's period), counts published."""
    start, end = span.snap(start, end)
    row = run("referral_headline", area_id=area_id, start_date=start, end_date=end, public=True).iloc[0]
    return {field: int(row[field]) for field in HEADLINE}


def truth(demo_con, area_id: str, first: date, last: date) -> dict[date, list[tuple[bool, bool, bool]]]:
    """Who was really referred on each day: (found eligible, enrolled, re-arrested) per person."""
    rows = demo_con.execute(
        """select referred_on, eligibility = 'eligible', enrolled_on is not null,
                  coalesce(rearrested_on >= enrolled_on, false)
           from referrals
           where referred_on between $first and $last
             and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)""",
        {"first": first, "last": last, "area_id": area_id},
    ).fetchall()
    people: dict[date, list[tuple[bool, bool, bool]]] = {}
    for day, *outcome in rows:
        people.setdefault(day, []).append(tuple(outcome))
    return people


def day_by_day_attack(headlines: dict[date, dict]) -> dict[date, tuple[bool | None, ...] | int]:
    """What the attacker reads off consecutive end dates: on a day the referrals went up by exactly one,
    that person's outcome from the other figures' steps (None where a figure was hidden); on other days
    with a rise, how many people."""
    found = {}
    days = sorted(headlines)
    for before, after in zip(days, days[1:], strict=False):
        a, b = headlines[before], headlines[after]
        if a["referrals"] is None or b["referrals"] is None:
            continue
        step = {f: None if a[f] is None or b[f] is None else b[f] - a[f] for f in HEADLINE}
        if step["referrals"] == 1:
            found[after] = tuple(None if step[f] is None else step[f] == 1 for f in HEADLINE[1:])
        elif step["referrals"] > 1:
            found[after] = step["referrals"]
    return found


WINDOWS = [  # (area, first end date): 63 consecutive end dates each, as in the issue
    ("pilot_zone", date(2018, 3, 1)),
    (CENTRAL, date(2019, 6, 1)),
]


@pytest.mark.parametrize(("area_id", "first_end"), WINDOWS)
def test_old_public_view_gave_back_every_referral_day_and_outcome(run, demo_con, area_id, first_end):
    """Regression test pinning the leak: the old view, asked for 63 consecutive end dates, gives the
    attacker every referral date in the window and each lone referral's outcome."""
    ends = [first_end + timedelta(days=n) for n in range(63)]
    found = day_by_day_attack({end: old_public_headline(run, area_id, START, end) for end in ends})
    people = truth(demo_con, area_id, ends[1], ends[-1])
    assert people, "the window holds referrals in the demo data"
    assert set(found) == set(people)  # every referral day, and only those
    lone = {day: outcomes[0] for day, outcomes in people.items() if len(outcomes) == 1}
    assert lone, "the window holds days with a single referral"
    for day, outcome in lone.items():
        read = found[day]  # that person's eligibility, enrolment and re-arrest, where the figure showed
        assert isinstance(read, tuple)
        assert all(r is None or r == o for r, o in zip(read, outcome, strict=True))
        assert sum(r is not None for r in read) >= 2


@pytest.mark.parametrize(("area_id", "first_end"), WINDOWS)
def test_public_view_gives_the_day_by_day_attack_nothing(run, span, demo_con, area_id, first_end):
    ends = [first_end + timedelta(days=n) for n in range(63)]
    headlines = {end: new_public_headline(run, span, area_id, START, end) for end in ends}
    found = day_by_day_attack(headlines)
    # no person found: the only rises are whole quarters' published counts, multiples of 5
    assert found and all(isinstance(rise, int) and rise % 5 == 0 for rise in found.values())
    assert all(disclosure.quarter_start(day) == day for day in found)
    for end, figures in headlines.items():
        assert all(value % 5 == 0 for value in figures.values()), end
        same_quarter = [
            other for other in ends if disclosure.quarter_start(other) == disclosure.quarter_start(end)
        ]
        assert all(headlines[other] == figures for other in same_quarter)  # a day changes nothing
    # every difference between any two answers is a multiple of 5: never a count of 1 to 4
    for a, b in combinations(headlines.values(), 2):
        assert all((a[f] - b[f]) % 5 == 0 for f in HEADLINE)
    assert len({tuple(h.values()) for h in headlines.values()}) > 1  # the window crosses a quarter


def _quarters(first: date, last: date) -> list[tuple[date, date]]:
    span = disclosure.PublicSpan.of(first, last)
    return [(q, disclosure.quarter_end(q)) for q in span.quarters()]


def _months(first: date, last: date) -> list[tuple[date, date]]:
    months, day = [], first
    while day <= last:
        following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        months.append((day, following - timedelta(days=1)))
        day = following
    return months


def test_area_differences_gave_back_small_counts_and_now_do_not(run, span):
    """The Central District minus the pilot zone inside it is the rest of the district: the old view
    gave its small counts back; published counts differ by multiples of 5 only. The same requests go
    to both: single months, and the launch to each day of November 2017, when referrals began outside
    the zone."""
    periods = _months(date(2017, 2, 1), date(2019, 12, 31))
    periods += [(START, date(2017, 11, day)) for day in range(1, 31)]
    recovered, checked = [], 0
    for start, end in periods:
        old_zone, old_central = (old_public_headline(run, a, start, end) for a in ("pilot_zone", CENTRAL))
        exact_zone, exact_central = (
            run("referral_headline", area_id=a, start_date=start, end_date=end, public=False).iloc[0]
            for a in ("pilot_zone", CENTRAL)
        )
        for field in HEADLINE:
            rest = int(exact_central[field] - exact_zone[field])
            if old_zone[field] is not None and old_central[field] is not None and 0 < rest < 5:
                recovered.append((start, field, old_central[field] - old_zone[field], rest))
        new_zone, new_central = (
            new_public_headline(run, span, a, start, end) for a in ("pilot_zone", CENTRAL)
        )
        for field in HEADLINE:
            assert (new_central[field] - new_zone[field]) % 5 == 0
            checked += 1
    assert recovered, "the old view gave back a small count of the rest of the district"
    assert all(shown == rest for _, _, shown, rest in recovered)  # exactly the hidden counts
    assert checked > 100


def test_filter_differences_gave_back_small_counts_and_now_do_not(run, span):
    """The Map page: all referrals minus arrest referrals is the social-contact referrals of an area."""
    recovered, differences = [], []
    for area in ("pilot_zone", CENTRAL, "nsa:Downtown"):
        for start, end in _quarters(date(2018, 1, 1), date(2020, 12, 31)):
            exact = {
                kind: load_figures(run, MapFilters(start, end, area, kind, public=False))["referrals"]
                for kind in ("any", "arrest", "social_contact")
            }
            social = int(exact["social_contact"])
            old_any, old_arrest = (public_count(exact[k]) for k in ("any", "arrest"))
            if 0 < social < 5 and old_any[0].isdigit() and old_arrest[0].isdigit():
                recovered.append(int(old_any.replace(",", "")) - int(old_arrest.replace(",", "")) == social)
            published = {
                kind: int(load_figures(run, MapFilters(start, end, area, kind, public=True))["referrals"])
                for kind in ("any", "arrest", "social_contact")
            }
            assert all(value % 5 == 0 for value in published.values())
            differences.append(published["any"] - published["arrest"])
    assert recovered and all(recovered), "the old view gave back small social-contact counts exactly"
    assert all(difference % 5 == 0 for difference in differences)


def test_the_same_people_get_the_same_published_count_whatever_asks(run):
    """Consistency is what stops averaging: the pilot zone asked as an area, and the Map page's figure
    for it, publish one value; asking again gives it again."""
    start, end = date(2019, 1, 1), date(2019, 12, 31)
    headline = run("referral_headline", area_id="pilot_zone", start_date=start, end_date=end, public=True)
    overview = area_figures(run, "pilot_zone", start, end, public=True).figures
    mapped = load_figures(run, MapFilters(start, end, "pilot_zone", public=True))
    again = run("referral_headline", area_id="pilot_zone", start_date=start, end_date=end, public=True)
    assert headline.referrals[0] == mapped["referrals"] == again.referrals[0]
    assert overview[0].key == "referrals" and overview[0].value == f"{headline.referrals[0]:,}"


def test_a_public_query_refuses_a_period_off_the_grid(run):
    with pytest.raises(ValueError, match="whole quarters"):
        run(
            "referral_headline",
            area_id="pilot_zone",
            start_date=START,
            end_date=date(2019, 7, 1),
            public=True,
        )
    with pytest.raises(ValueError, match="per quarter"):
        run(
            "referral_by_type_over_time",
            area_id="pilot_zone",
            start_date=date(2019, 1, 1),
            end_date=date(2019, 12, 31),
            step="month",
            public=True,
        )


def test_no_query_returns_record_keys(demo_con):
    for name in queries.names():
        result = queries.run(demo_con, name, **queries.examples(name))
        keys = [column for column in result.columns if "key" in column.lower()]
        # data_sources adds up a whole file's keys for the banner's published size; no page shows it
        assert keys == (["key_sum"] if name == "data_sources" else []), name
        assert not any(str(dtype).startswith("struct") for dtype in result.dtypes), name


def test_published_count_rounds_without_bias_and_never_shows_1_to_4():
    """Over many key sums, a count of 3 is published as 5 three times in five, as 0 otherwise."""
    import numpy as np

    keys = np.random.default_rng(1).integers(0, disclosure.KEY_MODULUS, size=20_000)
    for count in range(0, 23):
        published = np.array([disclosure.published_count(count, int(k)) for k in keys])
        assert set(np.unique(published)) <= {count - count % 5, count - count % 5 + 5}
        assert not ((published > 0) & (published < 5)).any()
        assert published.mean() == pytest.approx(count, abs=0.08)


def test_the_sql_rounding_is_the_python_rounding(demo_con):
    """The macros the queries count with agree with ``published_count`` for every remainder."""
    rows = demo_con.execute(
        "select n, k, published(n, k, true) from range(0, 12) as a(n), (values (0), (199999), (200000), "
        "(599999), (600000), (999999), (1234567)) as b(k)"
    ).fetchall()
    assert all(published == disclosure.published_count(n, k) for n, k, published in rows)
    assert demo_con.execute("select published(3, 0, false)").fetchone()[0] == 3


def test_the_data_banner_publishes_a_referral_file_like_any_count():
    """A real referral file's size and date in a public view: a published count, and the end of its last
    complete quarter rather than the newest referral's own day; staff see both exactly."""
    records, as_of = disclosure.source_figures("referrals", 1234, 987_654, date(2026, 11, 15), public=True)
    assert records in ("1,230 records", "1,235 records") and as_of == "complete to 30 Sep 2026"
    assert disclosure.source_figures("referrals", 1234, 987_654, date(2026, 11, 15), public=False) == (
        "1,234 records",
        "as of 15 Nov 2026",
    )
    assert (
        disclosure.source_figures("arrests", 1234, None, date(2026, 11, 15), public=True)[0]
        == "1,234 records"
    )
