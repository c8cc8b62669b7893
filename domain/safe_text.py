"""Text from people, links and files, made safe to show: the one escaping helper every renderer uses.

Proposal names, authors and notes, imported file names and record text, and URL values are data, never
markup. Whatever draws them (a folium tooltip, an SVG label, the hearing brief, a Streamlit caption)
passes them through one function here, chosen by where the text goes:

* ``clean_text``: plain text (a select box's option, a CSV cell, a terminal line): control characters
  and bidirectional overrides removed, length capped.
* ``html_text`` / ``html_attribute``: HTML and SVG element text and quoted attribute values (Leaflet
  tooltips and popups take HTML, and so do divIcon labels and legends; folium also runs each map
  element's script through Jinja, so template braces are escaped too).
* ``markdown_text``: anything Streamlit renders as Markdown (``st.markdown``, captions, alerts, widget
  labels, ``st.table`` cells): every Markdown and HTML sign shown as itself.
* ``script_json`` / ``script_safe_json``: JSON placed inside a ``<script>`` element.

Each cleans first, then escapes, so a value shown anywhere reads the same.
"""

from __future__ import annotations

import html
import json
import re

DEFAULT_LIMIT = 500  # characters shown of one value; a name is shorter, a note may be longer
NAME_LIMIT = 120  # names, file names and URL values in one line of text
ELLIPSIS = "…"

# Bidirectional controls reorder what follows them on screen ("Trojan Source"): a file name can be made
# to read as another. The explicit marks (LRM, RLM, ALM) are removed as well: shown text needs none.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 and C1 controls (NUL included), DEL, the byte-order mark, lone surrogates (not encodable as UTF-8)
# and the two non-characters U+FFFE and U+FFFF; tab and line breaks are handled separately.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff" + _BIDI + "]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")
_TEMPLATE_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})
# Markdown signs that count anywhere in a line ($ is Streamlit's maths). A backslash before ASCII
# punctuation makes it literal.
_MARKDOWN_INLINE = re.compile(r"([\\`*\[\]<>&$~|{}])")
# Streamlit's icons, emoji and colour directives (":material/x:", ":smile:", ":red[x]") need a ":"
# before a sign, or one closing a ":name": those are escaped, so "file.csv: 3 rows" stays as written.
_COLON = re.compile(r":(?=\S)|(?<=:)([\w+\-]+):")
# "_" between two letters or digits never starts emphasis ("BPD_Arrests"); elsewhere it may.
_LOOSE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# Signs that count only at the start of a line: headings, quotes, lists, rules, setext underlines
# ("#", ">", "+", "=", "-"), and the "." or ")" of an ordered list's "1." / "1)".
_LINE_START = re.compile(r"^(\s*(?:\d+(?=[.)]))?)([#>+=\-.)])")
# Patterns found in the text after escapes are read, so a backslash cannot stop them: GitHub Markdown's
# autolink literals (http(s):, www., the "@" of an e-mail address) and Streamlit's ":material/...:"
# icons. A word joiner (invisible) inside each breaks it. Applied after escaping (":" is then "\:").
_FOUND_IN_TEXT = re.compile(
    r"(?i)(?<=https)(?=\\:)|(?<=http)(?=\\:)|(?<=www)(?=\.)|(?<=[-.\w+])(?=@)|(?<=\\:)(?=material/)"
)
WORD_JOINER = "\u2060"


def clean_text(value: object, limit: int = DEFAULT_LIMIT, *, keep_newlines: bool = False) -> str:
    """``value`` as one line of displayable text: no control characters (NUL included), no
    bidirectional overrides or marks, tabs and line breaks as spaces (or kept with ``keep_newlines``),
    at most ``limit`` characters (longer text ends in "…"). ``None`` gives "".

    >>> clean_text("evil\\u202egpj.exe\\x00 BPD.csv")
    'evilgpj.exe BPD.csv'
    >>> clean_text("two\\nlines"), clean_text("two\\r\\nlines", keep_newlines=True)
    ('two lines', 'two\\nlines')
    >>> clean_text("x" * 10, limit=5)
    'xxxx…'
    """
    if value is None:
        return ""
    text = _INVISIBLE.sub("", str(value))
    text = _LINE_BREAKS.sub("\n" if keep_newlines else " ", text).replace("\t", " ")
    if len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return text


def html_text(value: object, limit: int = DEFAULT_LIMIT) -> str:
    """Cleaned text for HTML or SVG, as element content or a quoted attribute value: ``& < > " '``
    become entities, so the browser shows them and never reads a tag, an attribute or an entity.

    ``{`` and ``}`` become entities too: folium (through branca) compiles each map element's rendered
    script as a Jinja template a second time, so a ``{{ ... }}`` that reached a tooltip, label or
    legend would be run as Python on the server. As entities they are only shown.

    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> html_text("O'Donnell & Sons"), html_text("{{ 7*7 }}")
    ('O&#x27;Donnell &amp; Sons', '&#123;&#123; 7*7 &#125;&#125;')
    """
    return html.escape(clean_text(value, limit), quote=True).translate(_TEMPLATE_BRACES)


def html_attribute(value: object, limit: int = DEFAULT_LIMIT) -> str:
    """Cleaned text for an HTML or SVG attribute value in double or single quotes (the same escaping
    as ``html_text``, named for where it goes).

    >>> f'<div title="{html_attribute(chr(34) + " onmouseover=x")}">'
    '<div title="&quot; onmouseover=x">'
    """
    return html_text(value, limit)


def markdown_text(value: object, limit: int = DEFAULT_LIMIT) -> str:
    """Cleaned text for Streamlit Markdown (``st.markdown``, captions, alerts, widget labels,
    ``st.table`` cells), shown exactly as typed, on one line.

    Every sign that can start Markdown inline is backslash-escaped: no link or image (``[``), tag or
    autolink (``<``), entity (``&``), code, emphasis or strike-through, maths (``$``), icon, emoji or
    colour directive (``:name``, ``:name:``), table cell (``|``). A sign that only counts at the start
    of a line (``#``, ``>``, ``-``, ``+``, ``=``, ``1.``) is escaped there. Bare URLs and e-mail
    addresses, which GitHub Markdown turns into links whatever the escaping, and Streamlit's
    ``:material/...:`` icons get an invisible word joiner (U+2060) that breaks the pattern without
    changing what is seen. Ordinary names keep their dots, dashes, underscores and apostrophes, so they
    read the same in the Markdown source.

    >>> print(markdown_text("[click](javascript:alert(1)) <img src=x>"))
    \\[click\\](javascript\\:alert(1)) \\<img src=x\\>
    >>> print(markdown_text("BPD_Arrests 2017-2018.csv"), markdown_text("# 1"))
    BPD_Arrests 2017-2018.csv \\# 1
    >>> markdown_text("https://evil.example") == "https" + WORD_JOINER + "\\\\://evil.example"
    True
    """
    text = clean_text(value, limit)
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    text = _COLON.sub(lambda match: f"{match[1] or ''}\\:", text)
    text = _LOOSE_UNDERSCORE.sub(r"\\_", text)
    text = _LINE_START.sub(lambda match: match[1] + "\\" + match[2], text, count=1)
    return _FOUND_IN_TEXT.sub(WORD_JOINER, text)


def script_safe_json(json_text: str) -> str:
    """JSON text made safe inside an HTML ``<script>`` element: ``<``, ``>`` and ``&`` written as
    ``\\u003c``-style escapes (the same JSON value), so a string in it cannot close the element; the
    JavaScript line separators U+2028/U+2029 escaped as well.

    >>> script_safe_json('{"name": "</script><script>alert(1)</script>"}')
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)\\\\u003c/script\\\\u003e"}'
    """
    # In JSON these characters can only occur inside strings, where the escape means the same.
    for character, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        json_text = json_text.replace(character, escaped)
    return json_text


def script_json(value: object) -> str:
    """``value`` as compact JSON safe inside a ``<script>`` element (see ``script_safe_json``).

    >>> script_json({"name": "<b>"})
    '{"name":"\\\\u003cb\\\\u003e"}'
    """
    return script_safe_json(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: object) -> object:
    """A CSV cell that a spreadsheet will not run: text starting like a formula (``=``, ``+``, ``-``,
    ``@``, tab, carriage return) gets a leading apostrophe, as OWASP advises; anything else as it is.

    >>> spreadsheet_text('=HYPERLINK("x")'), spreadsheet_text("Fells Point"), spreadsheet_text(-3)
    ('\\'=HYPERLINK("x")', 'Fells Point', -3)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
