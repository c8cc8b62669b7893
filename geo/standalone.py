"""A folium map as one self-contained HTML file: opens from disk, with no server and no internet.

The app serves Leaflet from ``static/vendor`` (see ``geo.offline_map``); a downloaded file cannot reach
that server, so its scripts and styles are copied into the page, and the images the stylesheet names
(the layer-control icon) become ``data:`` URLs. Only the optional online basemap tiles stay remote:
without internet they simply do not load and the vector layers still draw.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

import folium

from domain.safe_text import html_text
from geo.offline_map import STATIC_URL, zoomable

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
_SCRIPT_TAG = re.compile(r'<script\s+src="(?P<url>[^"]+)"\s*>\s*</script>', re.IGNORECASE)
_STYLESHEET_TAG = re.compile(r'<link\s+rel="stylesheet"\s+href="(?P<url>[^"]+)"\s*/?>', re.IGNORECASE)
_CSS_URL = re.compile(r"url\((?P<quote>['\"]?)(?P<path>[^)'\"#][^)'\"]*)(?P=quote)\)")
_NOTE_STYLE = (
    "position:absolute;top:10px;left:56px;z-index:1000;max-width:min(460px,55%);"
    "background:rgba(255,255,255,.94);border:1px solid #555;border-radius:4px;padding:6px 10px;"
    "font:13px/1.35 sans-serif;color:#111;"
)


def standalone_html(folium_map: folium.Map, title: str, notes: list[str] | tuple[str, ...] = ()) -> str:
    """The map as a complete HTML document with Leaflet's files inlined.

    ``title`` and ``notes`` (period, filters, "synthetic data", ...) are shown in a box over the map,
    so a file passed around after a meeting still says what it shows.

    >>> page = standalone_html(use_local_assets(base_map()), "Map")  # doctest: +SKIP
    >>> "<script src=" in page
    False
    """
    html = zoomable(folium_map.get_root().render())
    # Library stylesheets go first in <head>, as the app loads them, so the map's own rules still win.
    styles = [_inline_stylesheet(url) for url in _STYLESHEET_TAG.findall(html)]
    html = _STYLESHEET_TAG.sub("", html)
    html = _SCRIPT_TAG.sub(lambda match: _inline_script(match["url"]), html)
    leftover = _SCRIPT_TAG.findall(html) + _STYLESHEET_TAG.findall(html)
    if leftover:
        raise ValueError(f"standalone map: could not inline {leftover}")
    heading = "\n".join([f"<title>{html_text(title)}</title>", *styles])
    html = html.replace("<head>", f"<head>\n{heading}", 1)
    # Collapsible, so the note can be folded away when the map is shown on a screen.
    lines = "".join(f"<div>{html_text(note)}</div>" for note in notes)  # notes may name an area or a file
    note_box = (
        f'<details open class="lead-export-note" style="{_NOTE_STYLE}">'
        f'<summary style="cursor:pointer;font-weight:bold">{html_text(title)}</summary>{lines}</details>'
    )
    return html.replace("<body>", f"<body>\n{note_box}", 1)


def _local_file(url: str) -> Path:
    """The file behind a locally served asset URL; remote or unknown URLs are an error."""
    if not url.startswith(STATIC_URL + "/"):
        raise ValueError(f"standalone map: asset {url} is not one of the app's local files ({STATIC_URL})")
    path = (STATIC_DIR / url[len(STATIC_URL) + 1 :]).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        raise FileNotFoundError(f"standalone map: {url} not found under {STATIC_DIR} (run make setup)")
    return path


def _inline_script(url: str) -> str:
    # A literal "</script" inside the code would end the inline block early.
    code = _local_file(url).read_text(encoding="utf-8").replace("</script", "<\\/script")
    return f"<script>\n{code}\n</script>"


def _inline_stylesheet(url: str) -> str:
    path = _local_file(url)
    css = path.read_text(encoding="utf-8")
    css = _CSS_URL.sub(lambda match: _data_url(path.parent / match["path"], match[0]), css)
    return f"<style>\n{css}\n</style>"


def _data_url(image: Path, original: str) -> str:
    """``url(data:...)`` for an image next to the stylesheet; anything else is left as it was."""
    if not image.is_file():
        return original
    mime = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
    encoded = base64.b64encode(image.read_bytes()).decode("ascii")
    return f"url(data:{mime};base64,{encoded})"
