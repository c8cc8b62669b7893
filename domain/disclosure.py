"""How public figures are protected: whole quarters, and every count rounded the same way every time.

Hiding counts of 1 to 4 on one page is not enough against a visitor who asks many questions. Moving
the end of the period by one day, or comparing two areas or two filters, gives back the one person
who differs between the two answers — their referral date and what happened to them. So public
figures about referrals are built in two steps, and staff views (signed in) skip both:

1. **A fixed grid of periods.** A public period is a run of whole calendar quarters, ending at the
   last quarter the loaded data covers completely. Asking for 1 July instead of 30 June gives the
   same answer, so day-by-day differencing learns nothing.
2. **Consistent random rounding of every quarter's count.** Each referral carries a secret random
   ``record_key`` (0 to ``KEY_MODULUS - 1``), drawn once when it is stored. A count of the referrals
   that fall in one quarter (and one area, filter and outcome) is rounded to a multiple of
   ``ROUNDING_BASE``: down or up, with the chance of going up equal to the remainder's share of the
   base (so rounding is unbiased), and the coin decided by the sum of the counted records' keys. The
   same people always give the same published number, whichever page, filter or area name asks for
   them; two different sets of people get unrelated roundings. A period's figure is the sum of its
   quarters' published counts, so a longer period reveals nothing its quarters did not.

Every published count is therefore a multiple of 5, and so is every difference between two of them:
no sequence of requests can show a count of 1 to 4, nor one person's outcome. This is the cell-key
method statistical offices use for table builders (Australian Bureau of Statistics, TableBuilder),
with random rounding to base 5 (as Statistics New Zealand and the UK census publish) as its
perturbation, applied on a fixed quarterly grid.

Arrest counts are not protected this way: they are BPD's own published open data.

The rounding runs in the database (the macros written by ``schema_sql``, used by every referral query)
and is mirrored here in Python (``published_count``) for tests and for figures computed outside SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from domain.program import SMALL_COUNT_THRESHOLD

ROUNDING_BASE = SMALL_COUNT_THRESHOLD  # published counts are multiples of this
KEY_MODULUS = 1_000_000  # record keys are drawn from 0 .. KEY_MODULUS - 1
GRID_MONTHS = 3  # public periods are whole calendar quarters
# A mean over people (months in the program, say) is shown publicly only over this many published
# people: a mean of a handful is close to one person's value.
MIN_PUBLISHED_FOR_MEAN = 2 * ROUNDING_BASE

PROTECTION_NOTE = (
    f"Public figures about referrals cover whole calendar quarters, and each quarter's count is "
    f"rounded to a multiple of {ROUNDING_BASE} (the same way every time), so that no person can be "
    f"picked out by comparing figures; totals are the sums of rounded quarters, and 0 can mean up to "
    f"{ROUNDING_BASE - 1}."
)

# The same, short enough for a printed page's sources.
PROTECTION_NOTE_SHORT = (
    f"Referral figures: whole quarters, each rounded to a multiple of {ROUNDING_BASE} (0 means 0 to "
    f"{ROUNDING_BASE - 1}), so no one can be picked out."
)


# The grid --------------------------------------------------------------------------------------------


def quarter_start(day: date) -> date:
    """First day of the calendar quarter holding ``day``.

    >>> quarter_start(date(2019, 7, 1)), quarter_start(date(2019, 6, 30))
    (datetime.date(2019, 7, 1), datetime.date(2019, 4, 1))
    """
    return date(day.year, (day.month - 1) // GRID_MONTHS * GRID_MONTHS + 1, 1)


def quarter_end(day: date) -> date:
    """Last day of the calendar quarter holding ``day``.

    >>> quarter_end(date(2019, 7, 1))
    datetime.date(2019, 9, 30)
    """
    start = quarter_start(day)
    month = start.month + GRID_MONTHS
    following = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return following - timedelta(days=1)


def quarter_label(day: date) -> str:
    """``'2019 Q3'`` for any day of that quarter."""
    return f"{day.year} Q{(day.month - 1) // GRID_MONTHS + 1}"


def is_public_period(start: date, end: date) -> bool:
    """True when ``start``..``end`` is a run of whole quarters (what public figures may cover)."""
    return start <= end and start == quarter_start(start) and end == quarter_end(end)


def last_complete_quarter_end(last_date: date) -> date:
    """The last day of the last quarter that data loaded up to ``last_date`` covers completely.

    >>> last_complete_quarter_end(date(2024, 12, 31)), last_complete_quarter_end(date(2024, 11, 15))
    (datetime.date(2024, 12, 31), datetime.date(2024, 9, 30))
    """
    end = quarter_end(last_date)
    return end if end == last_date else quarter_start(last_date) - timedelta(days=1)


def widen_to_quarters(start: date, end: date) -> tuple[date, date]:
    """The run of whole quarters covering ``start``..``end``.

    >>> widen_to_quarters(date(2017, 2, 1), date(2019, 7, 1))
    (datetime.date(2017, 1, 1), datetime.date(2019, 9, 30))
    """
    return quarter_start(start), quarter_end(end)


@dataclass(frozen=True)
class PublicSpan:
    """The quarters a public view can show: from the quarter of the first loaded day to the last
    quarter the data covers completely."""

    first: date  # first day of the first quarter
    last: date  # last day of the last complete quarter

    @classmethod
    def of(cls, first_date: date, last_date: date) -> PublicSpan | None:
        """None when the data does not yet cover one whole quarter."""
        last = last_complete_quarter_end(last_date)
        first = quarter_start(first_date)
        return cls(first, last) if first <= last else None

    def quarters(self) -> list[date]:
        """First day of every quarter in the span, in order."""
        starts, day = [], self.first
        while day <= self.last:
            starts.append(day)
            day = quarter_end(day) + timedelta(days=1)
        return starts

    def snap(self, start: date, end: date) -> tuple[date, date]:
        """The run of whole quarters covering ``start``..``end``, kept inside the span (a period
        entirely outside it becomes the span's nearest quarter)."""
        start = min(max(quarter_start(start), self.first), quarter_start(self.last))
        end = max(min(quarter_end(end), self.last), quarter_end(self.first))
        return (start, end) if start <= end else (quarter_start(end), end)


def previous_period(start: date, end: date, public: bool) -> tuple[date, date]:
    """The period of the same length just before ``start``..``end``: the same number of whole
    quarters for a public period, the same number of days otherwise."""
    if public and is_public_period(start, end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        month = start.month - months
        earlier = date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        return earlier, start - timedelta(days=1)
    length = end - start + timedelta(days=1)
    return start - length, start - timedelta(days=1)


def period_length_text(start: date, end: date, public: bool) -> str:
    """How long a period is, in the unit the view counts in: ``'8 quarters'`` or ``'731 days'``."""
    if public and is_public_period(start, end):
        quarters = ((end.year - start.year) * 12 + end.month - start.month + 1) // GRID_MONTHS
        return f"{quarters} quarter{'s' if quarters != 1 else ''}"
    days = (end - start).days + 1
    return f"{days:,} day{'s' if days != 1 else ''}"


def source_figures(table: str, rows: int, key_sum, last_date: date, public: bool) -> tuple[str, str]:
    """How many records a loaded file holds and how recent they are, as the data banner says it:
    ``('1,234 records', 'as of 15 Nov 2026')``. In a public view a referral file's size is published
    like any count, and its date is the end of its last complete quarter (the newest referral's own
    date would be one person's)."""
    if public and table == "referrals":
        as_of = f"complete to {last_complete_quarter_end(last_date):%d %b %Y}"
        return f"{published_count(rows, int(key_sum or 0)):,} records", as_of
    return f"{int(rows):,} records", f"as of {last_date:%d %b %Y}"


# The rounding ----------------------------------------------------------------------------------------


def published_count(count: int, key_sum: int) -> int:
    """A quarter cell's public count: ``count`` rounded to a multiple of ``ROUNDING_BASE``, up with
    probability remainder / base, the coin being the counted records' key sum (see module doc).

    >>> published_count(0, 0), published_count(10, 123), published_count(3, 100), published_count(3, 700_000)
    (0, 10, 5, 0)
    """
    count = int(count)
    remainder = count % ROUNDING_BASE
    if remainder == 0:
        return count
    threshold = remainder * (KEY_MODULUS // ROUNDING_BASE)
    return count - remainder + (ROUNDING_BASE if int(key_sum) % KEY_MODULUS < threshold else 0)


def new_record_keys(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` record keys drawn from ``rng`` (the demo generator's seeded stream)."""
    return rng.integers(0, KEY_MODULUS, size=size, dtype=np.int64)


def schema_sql() -> str:
    """The database side of the rule: the referrals' ``record_key`` column (a fresh random key for
    every row, existing rows included) and the macros every referral query counts with.

    ``tally(record_key, condition)`` is an aggregate: the records of a cell meeting ``condition``, as
    ``{'n': how many, 'k': their key sum}``. ``published_sum(tally, public)`` adds up the cells of a
    group: their published counts when ``public``, the exact counts otherwise.
    """
    step = KEY_MODULUS // ROUNDING_BASE
    return f"""
alter table referrals add column if not exists
    record_key bigint default (cast(floor(random() * {KEY_MODULUS}) as bigint));

create or replace macro published(n, k, public) as
    case when not public or n % {ROUNDING_BASE} = 0 then n
         else n - n % {ROUNDING_BASE}
              + case when k % {KEY_MODULUS} < (n % {ROUNDING_BASE}) * {step} then {ROUNDING_BASE} else 0 end
    end;

create or replace macro tally(record_key, condition) as
    {{'n': count(*) filter (where condition),
      'k': coalesce(sum(record_key) filter (where condition), 0)}};

create or replace macro published_sum(cells, public) as
    cast(coalesce(sum(published(cells.n, cells.k, public)), 0) as bigint);

create or replace macro published_mean(value, published_n, public) as
    case when not public or published_n >= {MIN_PUBLISHED_FOR_MEAN} then value end;

create or replace macro grid_quarter(day) as cast(date_trunc('quarter', day) as date);
"""
