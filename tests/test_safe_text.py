"""domain.safe_text: hostile text comes out as text in HTML, SVG, Markdown and script JSON, and every
renderer that shows stored or imported text goes through it.

The browser test (tests/test_browser_hostile_text.py) shows the same on every page; these checks
need no browser and name the function at fault.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from datetime import date
from html.parser import HTMLParser

import pandas as pd
import pytest
from shapely.geometry import box, mapping

from domain.safe_text import (
    NAME_LIMIT,
    WORD_JOINER,
    clean_text,
    html_attribute,
    html_text,
    markdown_text,
    script_json,
    script_safe_json,
)
from tests.hostile_text import BIDI_CONTROLS, PAYLOADS, TEMPLATE_MARKERS

HOSTILE = pytest.mark.parametrize("key", list(PAYLOADS))
# What Markdown (CommonMark, GitHub's and Streamlit's additions) reads as a sign anywhere in a line.
MARKDOWN_SIGNS = "\\`*[]<>&$~|{}"
# GitHub Markdown's autolink literals (mdast-util-gfm-autolink-literal), as they are found in text.
AUTOLINK = re.compile(r"(?i)(https?://|www\.)[-.\w]+|[-.\w+]+@[-\w]+(\.[-\w]+)+")


class _Tags(HTMLParser):
    """Every start tag and its attributes, and the text, of an HTML fragment."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def _unescaped_markdown(text: str) -> str:
    """What a Markdown renderer shows for ``text`` made by ``markdown_text``: escapes read, joiners
    (invisible) dropped."""
    return re.sub(r"\\(.)", r"\1", text).replace(WORD_JOINER, "")


# ----------------------------------------------------------------------------------------- cleaning


def test_clean_text_removes_controls_and_bidirectional_marks():
    assert clean_text("a\x00b\x07c\x7f\x9bd") == "abcd"
    for control in BIDI_CONTROLS + ("\u2066", "\u2069", "\u061c", "\u200e", "\ufeff"):
        assert clean_text(f"x{control}y") == "xy"
    assert clean_text("evil\u202egpj.exe") == "evilgpj.exe"
    assert clean_text("one\ntwo\r\nthree\tfour\u2028five") == "one two three four five"
    assert clean_text("one\ntwo", keep_newlines=True) == "one\ntwo"
    assert clean_text(None) == "" and clean_text(42) == "42"
    assert clean_text("lone \ud800 surrogate").encode("utf-8")  # would raise with the surrogate in


def test_clean_text_keeps_ordinary_text_and_letters_of_any_script():
    for text in ("Pigtown & Carroll Park", "O'Donnell Heights", "Sandtown-Winchester", "Ñandú 東京 مرحبا"):
        assert clean_text(text) == text


def test_clean_text_caps_length_with_an_ellipsis():
    long = PAYLOADS["huge"]
    assert len(clean_text(long)) == 500 and clean_text(long).endswith("…")
    assert len(clean_text(long, NAME_LIMIT)) == NAME_LIMIT
    assert clean_text("x" * NAME_LIMIT, NAME_LIMIT) == "x" * NAME_LIMIT  # at the limit: untouched


# --------------------------------------------------------------------------------------- HTML / SVG


@HOSTILE
def test_html_text_is_shown_as_text_and_never_a_tag(key):
    payload = PAYLOADS[key]
    parsed = _Tags(f"<div>{html_text(payload)}</div>")
    assert parsed.tags == [("div", {})]
    assert parsed.text == clean_text(payload)


@HOSTILE
def test_html_attribute_stays_one_attribute_value(key):
    payload = PAYLOADS[key]
    parsed = _Tags(f"<div title=\"{html_attribute(payload)}\" class='{html_attribute(payload)}'>x</div>")
    assert parsed.tags == [("div", {"title": clean_text(payload), "class": clean_text(payload)})]


def test_html_text_escapes_the_five_signs():
    assert html_text("<a href=\"x\" onclick='y'>&amp;</a>") == (
        "&lt;a href=&quot;x&quot; onclick=&#x27;y&#x27;&gt;&amp;amp;&lt;/a&gt;"
    )


@HOSTILE
def test_svg_text_is_well_formed_xml_holding_the_text(key):
    from geo.static_map import svg_document, svg_text

    payload = PAYLOADS[key]
    document = svg_document(100, 50, payload, [svg_text(1, 2, payload, 9)])
    root = ElementTree.fromstring(document)  # NUL or a stray "<" would make this raise
    texts = [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == [clean_text(payload)]
    assert root.get("aria-label") == clean_text(payload)


# ------------------------------------------------------------------------------------------ Markdown


@HOSTILE
def test_markdown_text_escapes_every_sign_and_reads_back_as_the_text(key):
    payload = PAYLOADS[key]
    shown = markdown_text(payload)
    assert _unescaped_markdown(shown) == clean_text(payload)
    # every sign is escaped: preceded by an odd number of backslashes
    for match in re.finditer(r"(\\*)([" + re.escape(MARKDOWN_SIGNS) + "])", shown):
        if match[2] != "\\":
            assert len(match[1]) % 2 == 1, (shown, match.start())
    assert "](" not in shown.replace("\\]", "")  # no link or image can form


@HOSTILE
def test_markdown_text_leaves_no_autolink_or_icon_to_find(key):
    shown = markdown_text(PAYLOADS[key])
    visible = re.sub(r"\\(.)", r"\1", shown)  # the text a renderer's autolink pass looks at
    assert not AUTOLINK.search(visible), visible
    assert ":material/" not in visible
    assert not re.search(r":[\w+-]+:", re.sub(r"\\:", "\x01", shown))  # an emoji code needs bare colons


def test_markdown_text_escapes_line_starts_and_loose_underscores_only():
    assert markdown_text("# title") == "\\# title"
    assert markdown_text("- item") == "\\- item"
    assert markdown_text("1. first") == "1\\. first"
    assert markdown_text("> quote") == "\\> quote"
    assert markdown_text("_em_ snake_case") == "\\_em\\_ snake_case"
    # ordinary names and sentences read the same in the Markdown source
    for text in ("BPD_Arrests_2017-2018.csv", "arrests file notes.csv: 3 rows", "O'Donnell (east)", "1-2"):
        assert markdown_text(text) == text


def test_markdown_text_is_one_line_and_capped():
    assert markdown_text("a\n\n# b") == "a  # b"  # no second line, so no heading
    assert len(_unescaped_markdown(markdown_text(PAYLOADS["huge"], NAME_LIMIT))) == NAME_LIMIT


# ---------------------------------------------------------------------------------------- script JSON


@HOSTILE
def test_script_json_cannot_close_a_script_element(key):
    payload = PAYLOADS[key]
    text = script_json({"name": payload})
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert json.loads(text) == {"name": payload}
    assert json.loads(script_safe_json(json.dumps([payload]))) == [payload]


# ------------------------------------------------------------------- renderers that show stored text


def _outlines(area_id: str, name: str, *bounds: float) -> pd.DataFrame:
    """One area as a query gives it: id, name and GeoJSON text."""
    return pd.DataFrame([{"area_id": area_id, "name": name, "geojson": json.dumps(mapping(box(*bounds)))}])


def _districts() -> pd.DataFrame:
    return _outlines("district:1959-2022:Central", "Central", -76.64, 39.28, -76.59, 39.31)


def _pilot_zone() -> pd.DataFrame:
    return _outlines("pilot_zone", "LEAD pilot zone", -76.628, 39.286, -76.614, 39.295)


class _Context:
    """A MapContext with the districts and the pilot zone only."""

    neighborhoods = pd.DataFrame(columns=["area_id", "name", "geojson"])
    districts = _districts()
    pilot_zone = _pilot_zone()
    streets = None
    edition = "1959-2022"


def _tooltip_texts(element) -> list[str]:
    """The text every GeoJson tooltip of a map is given, in map order: Leaflet puts it into the page
    as HTML."""
    import folium

    texts = []
    for child in element._children.values():
        if isinstance(child, folium.GeoJsonTooltip) and isinstance(element, folium.GeoJson):
            for feature in element.data.get("features", [element.data]):
                texts += [str(feature["properties"][field]) for field in child.fields]
        texts += _tooltip_texts(child)
    return texts


def test_the_comparison_map_gives_leaflet_names_as_text():
    from geo.planner_map import comparison_map, legend_html
    from planning.projection import CASE_MANAGEMENT_SITE

    names = [PAYLOADS[key] for key in ("img", "iframe", "svg", "script")]
    proposals = [
        (name, box(-76.62 + i / 100, 39.30, -76.615 + i / 100, 39.305)) for i, name in enumerate(names)
    ]
    folium_map = comparison_map(proposals, _pilot_zone(), _districts(), CASE_MANAGEMENT_SITE)
    shown = [text for text in _tooltip_texts(folium_map) if text != "LEAD pilot zone"]
    assert len(shown) == len(names)
    for text, name in zip(shown, names, strict=True):
        parsed = _Tags(f"<div>{text}</div>")
        assert parsed.tags == [("div", {})] and parsed.text == clean_text(name)
    legend = _Tags(legend_html("Proposals", [("#fff", name, "1px solid #000") for name in names]))
    assert {tag for tag, _ in legend.tags} <= {"details", "summary", "div", "span"}
    rendered = folium_map.get_root().render()
    for name in names:
        assert name not in rendered  # nowhere in the page as it was typed, labels included


@pytest.mark.parametrize("key", ["template", "jinja_globals"])
def test_map_text_is_never_run_as_a_template_on_the_server(key):
    """branca compiles every rendered map element's script as a Jinja template again: a "{{ }}" in a
    proposal's name reached Python there (``cycler.__init__.__globals__`` is the os module's door)."""
    from geo.layers import Legend, text_label
    from geo.offline_map import base_map
    from geo.planner_map import comparison_map
    from planning.projection import CASE_MANAGEMENT_SITE

    payload = PAYLOADS[key]
    folium_map = comparison_map(
        [(payload, box(-76.62, 39.30, -76.61, 39.31)), ("{{ 7*7 }}", box(-76.60, 39.30, -76.59, 39.31))],
        _pilot_zone(),
        _districts(),
        CASE_MANAGEMENT_SITE,
    )
    other = base_map()
    text_label(39.3, -76.6, payload).add_to(other)
    Legend(payload, [("#fff", "{{ 7*7 }}", "1px")]).add_to(other)
    for rendered in (folium_map.get_root().render(), other.get_root().render()):
        shown = rendered.replace("\\u0026", "&")  # how the map's JSON writes "&"
        assert not any(marker in shown for marker in TEMPLATE_MARKERS)
        assert "&#123;&#123; 7*7 &#125;&#125;" in shown and ">49<" not in shown


def test_map_labels_and_outline_tooltips_are_text():
    from geo.layers import Legend, TextLabels, outline_layer, text_label

    payload = PAYLOADS["img"]
    label = text_label(39.3, -76.6, payload)
    assert _Tags(label.icon.options["html"]).tags == [("div", {"class": "map-label"})]
    layer = outline_layer(_districts().assign(name=payload), "Districts", {})
    assert _Tags(layer.data["features"][0]["properties"]["name"]).tags == []
    labels = json.loads(TextLabels([(39.3, -76.6, payload, "map-label")]).labels_json)
    assert _Tags(labels[0][2]).tags == [("div", {"class": "map-label"})]
    assert {tag for tag, _ in _Tags(Legend(payload, [("#fff", payload, "1px")]).legend_html).tags} == {
        "h4",
        "div",
        "span",
    }


def test_the_standalone_map_file_writes_its_notes_as_text():
    from geo.offline_map import base_map, use_local_assets
    from geo.standalone import standalone_html

    page = standalone_html(
        use_local_assets(base_map()), PAYLOADS["svg"], [PAYLOADS["img"], PAYLOADS["script"]]
    )
    for key in ("svg", "img", "script"):
        assert PAYLOADS[key] not in page  # (Leaflet's own code, inlined, has "<svg" in it)
        assert html_text(PAYLOADS[key]) in page


def test_the_still_map_writes_proposal_names_as_text():
    from geo.static_map import PROPOSAL_LABEL_LIMIT, _drawing

    name = PAYLOADS["rtl"] + PAYLOADS["nul"] + PAYLOADS["img"]
    drawing = _drawing(_Context(), [], None, ["districts"], [(name, box(-76.62, 39.30, -76.61, 39.31))])
    assert [label.text for label in drawing.labels] == [clean_text(name, PROPOSAL_LABEL_LIMIT)]
    assert drawing.keys[-1].label == f"Proposal: {clean_text(name, PROPOSAL_LABEL_LIMIT)}"


def test_the_png_map_takes_a_dollar_sign_as_text():
    from geo.static_map import map_png

    # mathtext would refuse "$\\bad{$" (and the page's download would fail); as text it is drawn
    name = "$\\bad{$"
    proposals = [(name, box(-76.62, 39.30, -76.61, 39.31))]
    png = map_png(
        _Context(), [], title=name, notes=[name], visible=["districts"], proposals=proposals, dpi=30
    )
    assert png.startswith(b"\x89PNG")


def test_the_brief_shows_a_hostile_proposal_as_text():
    from ui.brief import Brief, BriefFigure, ProposalSummary, brief_html

    proposal = ProposalSummary(
        name=PAYLOADS["iframe"],
        author=PAYLOADS["attribute"],
        note=PAYLOADS["script"] + PAYLOADS["rtl"],
        rows=[BriefFigure("Area", "1.00 km²")],
        basis="Not projected.",
    )
    brief = Brief(
        title="LEAD in Baltimore: hearing brief",
        period="01 Jan 2017 – 31 Dec 2024",
        paper="letter",
        data_note="Demo data.",
        synthetic=True,
        figures={"Area": [BriefFigure("People referred", "10")]},
        map_svg="<svg></svg>",
        trend_svg="<svg></svg>",
        trend_note="",
        proposal=proposal,
        sources=[f"Arrests: {PAYLOADS['img']}, 3 records."],
        generated_on=date(2025, 1, 1),
    )
    page = _Tags(brief_html(brief))
    page_tags = "html head meta title style body button main h1 p div b table tr td h2 figure svg figcaption"
    assert {tag for tag, _ in page.tags} <= {*page_tags.split(), "section", "span", "ul", "li"}
    assert [attrs["title"] for tag, attrs in page.tags if attrs.get("class") == "note"] == [
        clean_text(proposal.note)
    ]
    assert clean_text(PAYLOADS["iframe"]) in page.text and PAYLOADS["img"] in page.text
    assert not any(marker in page.text for marker in TEMPLATE_MARKERS)


def test_url_warnings_quote_a_hostile_value_as_text():
    from ui.url_state import _problem

    for key in ("markdown_link", "markdown_image", "img", "autolink", "issue_file_name", "streamlit"):
        warning = _problem("area", PAYLOADS[key], f"no such choice: {PAYLOADS[key]}")
        assert warning.startswith("`area=`")
        rest = warning[len("`area=`") :]
        assert _unescaped_markdown(rest) == (
            f"{clean_text(PAYLOADS[key])} was ignored: no such choice: {clean_text(PAYLOADS[key])}"
        )
        assert "](" not in rest.replace("\\]", "") and "`" not in rest.replace("\\`", "")


def test_the_import_report_names_a_hostile_file_as_text():
    from ingest.importers.report import ImportReport

    name = PAYLOADS["issue_file_name"] + PAYLOADS["rtl"] + ".csv"
    report = ImportReport("arrests", name, 7, 3, 3, 0, 0, 0, None, unclassified=[("1 1", PAYLOADS["rtl"], 2)])
    summary = report.summary(markdown_text)
    assert summary.startswith(f"arrests file {markdown_text(name)}: 3 rows read")
    assert "](" not in summary.replace("\\]", "")
    assert not any(mark in "\n".join(report.lines()) for mark in BIDI_CONTROLS)
    assert not any(mark in report.summary() for mark in BIDI_CONTROLS)


def test_csv_downloads_never_start_a_cell_with_a_formula():
    """A proposal named like a spreadsheet formula downloads as text (OWASP's CSV injection advice)."""
    import pandas as pd

    from ui.tables import csv_bytes

    table = pd.DataFrame(
        {
            "name": ['=HYPERLINK("https://evil.example","x")', "+1", "@SUM(A1)", "Fells Point"],
            "count": [1, -2, 3, 4],
        }
    )
    lines = csv_bytes(table).decode().splitlines()
    assert (
        lines[1].startswith("\"'=HYPERLINK") and lines[2].startswith("'+1") and lines[3].startswith("'@SUM")
    )
    assert lines[4] == "Fells Point,4" and lines[2].endswith(",-2")  # numbers and plain names untouched
