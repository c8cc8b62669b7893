"""A corpus of hostile text: what a visitor, a shared link or an imported file might carry.

Each payload that would run script if it were ever taken as markup does two things, so a run is seen
whatever stops the other: it sets a global, ``window.__pwned``, to its key in the frame it runs in
(or its parent), and it calls ``__hit(key)``, a listener the browser tests expose in every frame.
Other payloads try to reach a remote host (a Markdown image, a live link), reorder text on screen
(bidirectional overrides), break storage or files (NUL), swamp the page (100 KB), or be evaluated by a
template engine (``{{ }}``, ``${}``, ``{% %}``: evaluated, they would print one of ``TEMPLATE_MARKERS``;
the last reaches Python's own modules, where running any code on the server begins).

Used by ``tests/test_safe_text.py`` (escaping, without a browser) and
``tests/test_browser_hostile_text.py`` (every stored and imported text field, on every page).
"""

from __future__ import annotations

REMOTE_HOST = "evil.example"  # no request may ever go there, no link may point there
PWNED = "__pwned"  # the global a payload sets when its script runs
LISTENER = "__hit"  # the function a payload calls when its script runs
# What the template payloads print if they are evaluated: by Jinja (folium renders every map element's
# script through a Jinja template a second time) or as a JavaScript template literal. Each has a letter
# beyond a-f, so none can turn up by chance in the hexadecimal ids folium gives map elements (one id in
# about 150 renders held "c5d6", the marker this list once had).
TEMPLATE_MARKERS = ("z42049z", "z48056z", "q5w6", "x1y2", "jinja2.utils")
HUGE_LENGTH = 100_000


def _runs(key: str) -> str:
    """The script a payload runs: set the global and call the listener, both named by ``key``."""
    return f"{PWNED}='{key}';{LISTENER}('{key}')"


# key -> payload. Keys are short: they are what a run reports. Proposal names and authors are kept
# to 80 characters by ingest.proposals, so every payload but "huge" fits in one.
PAYLOADS: dict[str, str] = {
    "img": f'<img src=x onerror="{_runs("img")}">',
    "iframe": f"<iframe src=\"javascript:parent.{PWNED}='ifr';parent.{LISTENER}('ifr')\"></iframe>",
    "svg": f'<svg onload="{_runs("svg")}">',
    "script": f"</script><script>{_runs('scr')}</script>",
    "attribute": f'"\'><img src=x onerror="{_runs("att")}">',
    "javascript_url": f"javascript:{_runs('jsu')}",
    "markdown_js_link": f"[js](javascript:{_runs('mdj')})",
    "entity": f"&lt;img src=x onerror={_runs('ent')}&gt;",
    "markdown_link": f"[click](https://{REMOTE_HOST}/x)",
    "markdown_image": f"![x](https://{REMOTE_HOST}/p.png)",
    "remote_image": f"<img src=https://{REMOTE_HOST}/i.png>",
    "autolink": f"see https://{REMOTE_HOST}/auto or www.{REMOTE_HOST}",
    "issue_file_name": f"[Official data portal](https:{REMOTE_HOST}) BPD",
    "rtl": "\u202eRTL override\u200f and mark\u202c",
    "nul": "NUL\x00byte",
    "template": "z{{ 6007*7 }}z z${6007*8}z {% if 1 %}q5{% endif %}w6 {{ 'x1' ~ 'y2' }}",
    # reaching Python's modules from a template: what running arbitrary code on the server starts with
    "jinja_globals": "{{ cycler.__init__.__globals__.__name__ }}",
    "streamlit": ":red[red] :material/home: :smile: $x^2$ **bold** `code`",
}
PAYLOADS["huge"] = (PAYLOADS["img"] + " " + "A" * HUGE_LENGTH)[:HUGE_LENGTH]

# The payloads that are markup-like: each must never reach a page, frame or HTML file unescaped.
MARKUP = ("img", "iframe", "svg", "script", "attribute", "remote_image", "huge")
# Bidirectional controls: removed wherever text is shown.
BIDI_CONTROLS = ("\u202e", "\u200f", "\u202c")
