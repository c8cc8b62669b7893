"""What an import did, in numbers and words: printed by the command line, shown by the import page.

The same :class:`ImportReport` feeds both, through :meth:`ImportReport.lines`, so the page and the
terminal never disagree. Its counts are also stored in the ``imports`` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from domain.safe_text import NAME_LIMIT, clean_text

LINE_LIMIT = 2_000  # a report line (the column list of a wide file is long)


@dataclass
class ImportReport:
    kind: str  # 'arrests' or 'referrals'
    source_file: str
    import_id: int
    rows_read: int
    rows_loaded: int
    rows_duplicate: int
    rows_quarantined: int
    rows_unmapped: int
    as_of: dt.date | None
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # the first quarantine entries, in words
    duplicate_examples: list[str] = field(default_factory=list)
    unclassified: list[tuple[str | None, str | None, int]] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)  # loaded rows per LEAD category
    columns_used: dict[str, str] = field(default_factory=dict)  # field label -> header name
    columns_not_stored: list[str] = field(default_factory=list)
    columns_unknown: list[str] = field(default_factory=list)
    columns_missing: list[str] = field(default_factory=list)  # optional fields the file lacks
    replaced_synthetic: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def balanced(self) -> bool:
        """Every row read is accounted for: loaded, skipped as a duplicate, or quarantined."""
        return self.rows_loaded + self.rows_duplicate + self.rows_quarantined == self.rows_read

    def summary(self, file_name: Callable[[str], str] = clean_text) -> str:
        """One line, as stored in ``imports.message``. ``file_name`` writes the file's name, which is
        whatever the uploader called it: plain text by default, ``domain.safe_text.markdown_text``
        for a Streamlit message.

        >>> report = ImportReport("arrests", "[x](https://evil.example) a.csv", 1, 2, 2, 0, 0, 0, None)
        >>> report.summary().split(":")[0]
        'arrests file [x](https'
        """
        return (
            f"{self.kind} file {file_name(self.source_file)}: {self.rows_read:,} rows read, "
            f"{self.rows_loaded:,} loaded, {self.rows_duplicate:,} duplicates skipped, "
            f"{self.rows_quarantined:,} quarantined, "
            f"{self.rows_unmapped:,} loaded without coordinates (unmapped)"
        )

    def lines(self) -> list[str]:
        """The full report as plain lines of text (for a terminal, the page's code box and the download):
        text from the file is cleaned of control characters and bidirectional overrides."""
        rate = f" ({self.rows_read / self.seconds:,.0f} rows/s)" if self.seconds > 0 else ""
        out = [
            f"Import #{self.import_id}: {self.kind} file {clean_text(self.source_file, NAME_LIMIT)}",
            f"  rows read           {self.rows_read:>10,}",
            f"  loaded              {self.rows_loaded:>10,}",
            f"  duplicates skipped  {self.rows_duplicate:>10,}",
            f"  quarantined         {self.rows_quarantined:>10,}",
            f"  unmapped (loaded, no coordinates) {self.rows_unmapped:,}",
            f"  as of               {self.as_of:%Y-%m-%d}" if self.as_of else "  as of               —",
            f"  took {self.seconds:.1f} s{rate}",
        ]
        if self.replaced_synthetic:
            out.append(f"  replaced {self.replaced_synthetic:,} synthetic demo {self.kind}")
        if self.quarantined_by_reason:
            out.append("Quarantined, by reason (a row can have more than one):")
            out += [f"  {count:>8,}  {reason}" for reason, count in self.quarantined_by_reason.items()]
        if self.examples:
            out.append("First quarantined rows:")
            out += [f"  {line}" for line in self.examples]
        if self.duplicate_examples:
            out.append("First duplicates:")
            out += [f"  {line}" for line in self.duplicate_examples]
        if self.categories:
            out.append("Loaded rows per LEAD category:")
            out += [f"  {count:>8,}  {category}" for category, count in self.categories.items()]
        if self.unclassified:
            out.append(
                "Most frequent charges no rule recognises (extend ingest/rules/lead_charge_rules.csv):"
            )
            out += [
                f"  {count:>8,}  {clean_text(code or '(no code)', NAME_LIMIT)}  "
                f"{clean_text(description or '(no description)', NAME_LIMIT)}"
                for code, description, count in self.unclassified
            ]
        out.append(
            "Columns: " + ", ".join(f"{label} ← {name!r}" for label, name in self.columns_used.items())
        )
        if self.columns_missing:
            out.append("Not in the file (left empty): " + ", ".join(self.columns_missing))
        if self.columns_not_stored:
            out.append("Recognised but not stored: " + ", ".join(repr(n) for n in self.columns_not_stored))
        if self.columns_unknown:
            out.append("Unknown columns (ignored): " + ", ".join(repr(n) for n in self.columns_unknown))
        out += [f"Note: {note}" for note in self.notes]
        return [clean_text(line, LINE_LIMIT) for line in out]


def reason_table(report: ImportReport) -> pd.DataFrame:
    """Quarantined rows per reason, most frequent first (columns: reason, rows)."""
    return pd.DataFrame(list(report.quarantined_by_reason.items()), columns=["reason", "rows"])


def unclassified_table(report: ImportReport) -> pd.DataFrame:
    """The most frequent charges no rule recognised (columns: charge code, description, arrests)."""
    rows = [
        (clean_text(code or "(no code)", NAME_LIMIT), clean_text(text or "(no description)", NAME_LIMIT), n)
        for code, text, n in report.unclassified
    ]
    return pd.DataFrame(rows, columns=["charge code", "description", "arrests"])
