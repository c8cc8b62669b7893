"""Race, sex and age as files write them, read into the codes of ``domain.equity``.

BPD's arrest files use one-letter codes (race B, W, A, I, U; sex M, F; the ArcGIS Hub export calls
sex ``Gender``); a case-management export may write the words. Both are accepted in any case. A blank
is ``unknown``; any other value sends the row to quarantine with the field and the value, like every
other coded field, so a person fixing the file sees it.

>>> RACE_SYNONYMS["b"], RACE_SYNONYMS["african_american"], SEX_SYNONYMS["f"]
('black', 'black', 'female')
"""

from __future__ import annotations

from domain import equity
from ingest.importers import validate as v
from ingest.importers.columns import ColumnMatch

UNKNOWN = "unknown"
MAX_AGE = 120


def _key(text: str) -> str:
    """A written form as ``validate.RowChecks.choice`` compares it: lower case, words joined by '_'."""
    return "_".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def _synonyms(labels: dict[str, str], extra: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {_key(code): code for code in labels}
    table |= {_key(label): code for code, label in labels.items()}
    table |= {_key(form): code for code, forms in extra.items() for form in forms}
    return table


RACE_SYNONYMS = _synonyms(
    equity.RACE_LABELS,
    {
        "black": ("B", "African American", "Black or African American"),
        "white": ("W",),
        "asian": ("A", "Asian or Pacific Islander", "Pacific Islander"),
        "american_indian": ("I", "American Indian or Alaska Native", "Native American"),
        "other": ("O", "Other race", "Multiracial"),
        "unknown": ("U", "Unknown", "Not recorded", "Not known"),
    },
)
SEX_SYNONYMS = _synonyms(
    equity.SEX_LABELS,
    {"male": ("M", "Man"), "female": ("F", "Woman"), "unknown": ("U", "Unknown", "Not recorded")},
)


# what a refused value is told it may be: the letters BPD writes first, then the words
RACE_ACCEPTED = "B, W, A, I, O, U or a word for one (Black, White, Asian, American Indian, Other, Unknown)"
SEX_ACCEPTED = "M, F, U or a word for one (Male, Female, Unknown)"


def describe(rows: v.RowChecks, match: ColumnMatch, age: bool = False) -> None:
    """Declare the ``race`` and ``sex`` fields (and ``age`` when asked) of a file being checked."""
    at = match.position.get
    rows.choice("race", at("race"), "race", RACE_SYNONYMS, blank=UNKNOWN, accepted=RACE_ACCEPTED)
    rows.choice("sex", at("sex"), "sex", SEX_SYNONYMS, blank=UNKNOWN, accepted=SEX_ACCEPTED)
    if age:
        rows.integer("age", at("age"), "age", 0, MAX_AGE)
