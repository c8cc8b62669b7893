"""Start the app: ``python -m ui.serve [streamlit options]`` (what ``make run`` calls).

Streamlit treats a ``pages/`` folder next to the entry script as old-style auto-discovered pages until
some session has called ``st.navigation``. On a freshly started server, a deep link such as
``/referrals`` would then run the page file on its own — without ``app.py``'s sidebar, banner and
navigation. Declaring up front that this app navigates with ``st.navigation`` closes that gap.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"


def use_navigation_only() -> None:
    """Tell Streamlit the ``pages/`` folder is not an auto-discovered page directory."""
    PagesManager.uses_pages_directory = False


def main(argv: list[str] | None = None) -> None:
    use_navigation_only()
    cli.main(["run", str(APP), *(sys.argv[1:] if argv is None else argv)], prog_name="streamlit")


if __name__ == "__main__":
    main()
