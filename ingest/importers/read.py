"""Read a delimited text file into a DuckDB staging table, whatever state it arrives in.

Two readers, one result. The fast reader is DuckDB's ``read_csv`` with every column as text and a
strict dialect; it takes a clean UTF-8 file of a million rows in about a second. Anything it cannot
take (another encoding, NUL bytes, an unterminated quote, a row with the wrong number of fields, a line
over ``FAST_MAX_LINE_BYTES``) goes to the careful reader, which decodes the file itself, drops NUL bytes,
and parses record by record so one broken row is set aside (with its row number) instead of sinking
the file.

The staging table has ``row_number`` (1-based data row, header excluded, blank lines not counted as
DuckDB does) and one text column per header column, named ``c0``, ``c1``... so no header text is ever
spliced into SQL. Whole-file problems (empty, binary, JSON, no data rows) raise
:class:`ImportRejected` before anything is written.
"""

from __future__ import annotations

import codecs
import csv
import mmap
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

SNIFF_BYTES = 64 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024  # the careful reader's limit for one line
# The fast reader's limit for one line (DuckDB's default). DuckDB reads in buffers of 16 lines of this
# size, so 64 MiB here cost a million-row import a gigabyte; the rare longer line goes to the careful reader.
FAST_MAX_LINE_BYTES = 2 * 1024 * 1024
# It reads this much at a time (its default is 16 lines' worth, 32 MiB). Measured on a million-row file
# with DuckDB held to 300 MB: reading it peaked at 400-433 MB with the default, 353-359 MB with 8 MiB, in
# the same time.
FAST_BUFFER_BYTES = 4 * FAST_MAX_LINE_BYTES
MAX_QUOTED_LINES = 200  # a quoted field spanning more lines than this is taken as an unterminated quote
MAX_RAW_CHARS = 2_000  # how much of a broken line the quarantine keeps
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# when at least this share of rows does not fit the header, the file itself is wrong (delimiter, layout)
STRUCTURE_REJECT_SHARE = 0.5
UNTERMINATED_QUOTE = "unterminated quote"
WRONG_FIELD_COUNT = "wrong number of fields"

# Files people pick by mistake, recognised by their first bytes.
MAGIC = (
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook (.xlsx): save the sheet as CSV first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel or Word document: save the sheet as CSV first"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive: unpack it first"),
    (b"SQLite format 3", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
)


class ImportRejected(ValueError):
    """A whole file cannot be loaded; the message names the file and what is wrong."""


@dataclass
class StagedFile:
    """A file read into a staging table, with what the reader noticed on the way."""

    table: str
    header: list[str]
    rows_read: int
    encoding: str
    delimiter: str
    reader: str  # 'fast' or 'careful'
    blank_rows: int = 0
    nul_bytes: int = 0
    notes: list[str] = field(default_factory=list)
    # rows set aside while parsing: (row_number, reason, detail, raw line)
    broken_rows: list[tuple[int, str, str, str]] = field(default_factory=list)


def stage_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    kind: str,
    table: str,
    is_known_column: Callable[[str], bool],
) -> StagedFile:
    """Read ``path`` into temp table ``table``; ``name`` is how messages refer to the file.

    ``is_known_column`` tells the delimiter sniffer which header names it should expect.
    """
    what = f"{kind} file {name}"
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise ImportRejected(f"{what}: the file cannot be read ({error.strerror or error})") from error
    if size == 0:
        raise ImportRejected(f"{what}: the file is empty (0 bytes)")
    _reject_non_text(head, what)
    encoding = _sniff_encoding(head)
    head_text = _decode_head(head, encoding)
    stripped = head_text.replace("\x00", "").lstrip("\ufeff \t\r\n")
    if not stripped:
        raise ImportRejected(f"{what}: the file holds only blank space, no header and no rows")
    if stripped[0] in "{[":
        raise ImportRejected(f"{what}: this is JSON, not a CSV file; export the data as CSV")
    if stripped[0] == "<":
        raise ImportRejected(f"{what}: this is an HTML or XML page, not a CSV file (a login or error page?)")
    if _control_share(stripped) > 0.05:
        raise ImportRejected(f"{what}: the file looks binary, not text; expected a CSV file")
    header_line = _first_record(stripped)
    delimiter, header = _choose_delimiter(header_line, is_known_column)
    header = [h.replace("\x00", "").strip().lstrip("\ufeff") for h in header]
    header = [h if h else f"column {i + 1}" for i, h in enumerate(header)]

    plain = encoding.startswith("utf-8") and head_text.lstrip("\ufeff")[:1] not in ("\r", "\n", " ", "")
    staged = None
    fast_failure = None
    if plain and not _contains_nul(path):
        try:
            staged = _fast_read(con, path, table, header, delimiter)
        except (duckdb.OutOfMemoryException, duckdb.IOException):
            raise  # the machine, not the file: reading it row by row would need far more memory
        except duckdb.Error as error:
            fast_failure = _first_line(str(error))
    if staged is None:
        staged = _careful_read(con, path, table, header, delimiter, encoding, what)
        if fast_failure:
            staged.notes.append(f"read row by row, because DuckDB's fast reader stopped: {fast_failure}")
    _drop_blank_rows(con, staged)
    if staged.rows_read == 0 and not staged.broken_rows:
        raise ImportRejected(f"{what}: the file has a header but no data rows")
    if delimiter != ",":
        staged.notes.append(f"columns separated by {DELIMITER_NAMES[delimiter]}s")
    if not staged.encoding.startswith("utf-8"):
        staged.notes.append(f"text encoding {staged.encoding} (converted to UTF-8)")
    if staged.nul_bytes:
        staged.notes.append(f"{staged.nul_bytes:,} NUL bytes removed")
    if staged.blank_rows:
        staged.notes.append(f"{staged.blank_rows:,} blank rows skipped")
    return staged


def _reject_non_text(head: bytes, what: str) -> None:
    for magic, description in MAGIC:
        if head.startswith(magic):
            raise ImportRejected(f"{what}: not a CSV file but {description}")


def _sniff_encoding(head: bytes) -> str:
    """The file's text encoding from its first bytes: BOMs first, then UTF-16 by its NUL pattern."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4:
        even_nul = sample[0::2].count(0) / len(sample[0::2])
        odd_nul = sample[1::2].count(0) / len(sample[1::2])
        if odd_nul > 0.3 and even_nul < 0.05:
            return "utf-16-le"
        if even_nul > 0.3 and odd_nul < 0.05:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "Windows-1252 / Latin-1"


def _decode_head(head: bytes, encoding: str) -> str:
    codec = encoding if encoding.startswith("utf-") else "utf-8"
    errors = "replace" if codec.startswith("utf-16") else _CP1252_FALLBACK
    return codecs.getincrementaldecoder(codec)(errors=errors).decode(head, final=False)


def _control_share(text: str) -> float:
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n" or ch == "\ufffd")
    return controls / max(len(sample), 1)


def _first_record(text: str) -> str:
    """The header record: the first line, or more while a quoted name spans lines."""
    lines = _LINE_BREAK.split(text)
    record, quotes = lines[0], lines[0].count('"')
    for line in lines[1:MAX_QUOTED_LINES]:
        if quotes % 2 == 0:
            break
        record += "\n" + line
        quotes += line.count('"')
    return record


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Windows, old Mac ("CSV (Macintosh)") and Unix line ends


def _choose_delimiter(header_line: str, is_known_column: Callable[[str], bool]) -> tuple[str, list[str]]:
    """The delimiter that splits the header into the most recognised column names (then most columns)."""
    best = None
    for delimiter in DELIMITERS:
        names = _split(header_line, delimiter) or [header_line]
        score = (sum(is_known_column(n) for n in names), len(names))
        if best is None or score > best[0]:
            best = (score, delimiter, names)
    return best[1], best[2]


def _contains_nul(path: Path) -> bool:
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b"\x00") != -1


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    first = lines[0].removeprefix("Invalid Input Error: ") if lines else "unknown error"
    detail = next((line for line in lines[1:] if not line.startswith(("Original Line", "Possible"))), "")
    return first + (f" ({detail})" if detail else "")


def _columns_sql(header: list[str]) -> str:
    return "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"


def _fast_read(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, header: list[str], delimiter: str
) -> StagedFile:
    """DuckDB's reader with a strict dialect: any irregularity raises and the careful reader takes over."""
    con.execute(
        f"""
        create or replace temp table {table} as
        select * from read_csv(
            $path, columns = {_columns_sql(header)}, header = true, auto_detect = false,
            delim = $delim, quote = '"', escape = '"', strict_mode = true,
            max_line_size = {FAST_MAX_LINE_BYTES}, buffer_size = {FAST_BUFFER_BYTES}, parallel = true
        )
        """,
        {"path": str(path), "delim": delimiter},
    )
    con.execute(f"alter table {table} add column row_number bigint")
    con.execute(f"update {table} set row_number = rowid + 1")
    rows = con.sql(f"select count(*) from {table}").fetchone()[0]
    return StagedFile(table, header, rows, "utf-8", delimiter, "fast")


def _careful_read(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    header: list[str],
    delimiter: str,
    encoding: str,
    what: str,
) -> StagedFile:
    raw = path.read_bytes()
    text, encoding = _decode_all(raw, encoding)
    nul_bytes = text.count("\x00")
    if nul_bytes:
        text = text.replace("\x00", "")
    text = text.lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # a bare \r ends a line in old Mac exports
    csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))  # the default (128 KiB) is too small
    width = len(header)
    rows: list[list[str | None]] = []
    numbers: list[int] = []
    broken: list[tuple[int, str, str, str]] = []
    blank = 0
    records = _records(text)
    next(records, None)  # the header, already parsed
    for row_number, record, unterminated in records:
        if record is None:
            blank += 1
            continue
        if unterminated:
            broken.append((row_number, UNTERMINATED_QUOTE, "a quoted field never closes", _clip(record)))
            continue
        fields = _split(record, delimiter)
        if fields is None:
            broken.append(
                (row_number, WRONG_FIELD_COUNT, "the row cannot be split into fields", _clip(record))
            )
            continue
        while len(fields) > width and fields[-1] == "":
            fields.pop()  # trailing empty fields, as spreadsheets sometimes add
        if len(fields) != width:
            detail = f"{len(fields)} field{'s' if len(fields) != 1 else ''}, the header has {width}"
            broken.append((row_number, WRONG_FIELD_COUNT, detail, _clip(record)))
            continue
        rows.append([value if value != "" else None for value in fields])
        numbers.append(row_number)
    frame = pd.DataFrame(rows, columns=[f"c{i}" for i in range(width)], dtype=object)
    frame["row_number"] = pd.Series(numbers, dtype="int64")
    con.register("_careful_rows", frame)
    try:
        columns = ", ".join(f"c{i}::varchar as c{i}" for i in range(width))
        con.execute(
            f"create or replace temp table {table} as select {columns}, row_number from _careful_rows"
        )
    finally:
        con.unregister("_careful_rows")
    staged = StagedFile(table, header, len(rows) + len(broken), encoding, delimiter, "careful")
    staged.blank_rows = blank
    staged.nul_bytes = nul_bytes
    staged.broken_rows = broken
    return staged


def _split(record: str, delimiter: str) -> list[str] | None:
    """The fields of one record; None when the csv module cannot parse it at all."""
    try:
        return next(csv.reader([record], delimiter=delimiter, strict=False), [])
    except csv.Error:
        return None


def _decode_all(raw: bytes, encoding: str) -> tuple[str, str]:
    """The whole file as text, and the encoding it turned out to have.

    UTF-8 and single-byte files go through one decoder: valid UTF-8 stays as it is and every byte
    that is not valid UTF-8 is read as Windows-1252, so a Latin-1 export and a UTF-8 file with a few
    pasted Latin-1 names both come out right.
    """
    if encoding.startswith("utf-16"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            return raw.decode(encoding, errors="replace"), f"{encoding} (unreadable bytes replaced)"
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors=_CP1252_FALLBACK), "Windows-1252 / Latin-1"


def _bytes_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    bad = error.object[error.start : error.end]
    try:
        return bad.decode("cp1252"), error.end
    except UnicodeDecodeError:
        return bad.decode("latin-1"), error.end


_CP1252_FALLBACK = "lead_import_cp1252"
codecs.register_error(_CP1252_FALLBACK, _bytes_as_cp1252)


def _records(text: str) -> Iterator[tuple[int, str | None, bool]]:
    """(row number, record text or None for a blank line, unterminated?) for every record of ``text``.

    A record ends at a line break outside quotes; quotes are balanced when their count is even (an
    escaped quote is two). A quote still open after ``MAX_QUOTED_LINES`` lines or at the end of the
    file is unterminated: that one line is set aside and reading resumes on the next line, so a stray
    quote costs one row, not the rest of the file. The header is the first record yielded.
    """
    lines = text.split("\n")
    total = len(lines)
    if total and lines[-1] == "":
        total -= 1  # the file's final newline
    index, number = 0, -1  # the header is record 0
    while index < total:
        line = lines[index]
        if not line.strip():
            index += 1
            if number >= 0:  # blank lines before the header are not rows at all
                yield number, None, False
            continue
        number += 1
        quotes = line.count('"')
        if quotes % 2 == 0:
            index += 1
            yield number, line, False
            continue
        parts, end = [line], index + 1
        while end < total and end - index <= MAX_QUOTED_LINES and quotes % 2:
            parts.append(lines[end])
            quotes += lines[end].count('"')
            end += 1
        if quotes % 2 == 0:
            index = end
            yield number, "\n".join(parts), False
        else:
            index += 1
            yield number, line, True


def _clip(text: str) -> str:
    if len(text) <= MAX_RAW_CHARS:
        return text
    return f"{text[:MAX_RAW_CHARS]}… ({len(text):,} characters in all)"


def _drop_blank_rows(con: duckdb.DuckDBPyConnection, staged: StagedFile) -> None:
    """Rows whose every field is empty (spreadsheets leave ",,,," lines) carry nothing: skip them."""
    empty = " and ".join(f"nullif(trim(c{i}), '') is null" for i in range(len(staged.header)))
    blank = con.execute(f"delete from {staged.table} where {empty}").fetchone()[0]
    staged.blank_rows += blank
    staged.rows_read -= blank


def reject_if_mostly_broken(staged: StagedFile, what: str) -> None:
    """A file where half the rows do not fit the header is the wrong file or the wrong delimiter."""
    broken = len(staged.broken_rows)
    if broken and broken >= STRUCTURE_REJECT_SHARE * staged.rows_read:
        first_row, reason, detail, _ = staged.broken_rows[0]
        delimiter = DELIMITER_NAMES[staged.delimiter]
        raise ImportRejected(
            f"{what}: {broken:,} of {staged.rows_read:,} rows cannot be split into the header's "
            f"{len(staged.header)} columns (first at row {first_row}: {reason}, {detail}); "
            f"the header was split by {delimiter}s — check the delimiter and quoting"
        )


def clean_name(text: str) -> str:
    """A header or file name made safe to print: control characters removed, length capped."""
    text = re.sub(r"[\x00-\x1f\x7f]", "", text)
    return text if len(text) <= 120 else text[:117] + "..."
