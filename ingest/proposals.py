"""Saving and deleting named expansion proposals (``areas`` rows with ``kind = 'proposal'``).

Proposals are rows the app writes (``store/app_rows.py``): on the app's serving connection they go
to the app's own file, which no refresh replaces; on a plain connection, to that database's ``areas``.

A proposal is stored exactly as checked by ``geo.proposal.check_proposal``: its WKB goes into the
database unchanged, so it reloads with identical coordinates.

Who may write is asked at the moment of writing, not left to the screen that offers the form: every
save and delete first calls the check installed with ``guard_writes`` and raises ``WriteRefused`` when
it says no. The app installs one that allows signed-in staff only (``ui.auth``); scripts, the command
line and tests, which install none, write freely.

>>> from store import connect, create_schema
>>> from shapely.geometry import box
>>> con = connect(":memory:"); create_schema(con)
>>> save_proposal(con, "Pigtown east", box(-76.63, 39.28, -76.62, 39.285), "A. Planner", "first draft")
'proposal:pigtown-east'
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable

import duckdb
from shapely.geometry.base import BaseGeometry

from geo.proposal import area_km2
from store import transaction
from store.app_rows import target

MAX_NAME_LENGTH = 80
MAX_TEXT_LENGTH = 2000
ID_PREFIX = "proposal:"


class ProposalExists(ValueError):
    """A proposal with this name (or one that differs only in punctuation or case) is already saved."""


class WriteRefused(PermissionError):
    """The caller may not change saved proposals (in the app: the viewer is not signed-in staff)."""


def _anyone_may_write() -> bool:
    return True


_may_write: Callable[[], bool] = _anyone_may_write


def guard_writes(may_write: Callable[[], bool] | None) -> None:
    """Ask ``may_write()`` before every save and delete from now on (``None``: no check again).

    One check for the whole process: the app installs its role check once, at import (``ui.auth``).
    """
    global _may_write
    _may_write = may_write or _anyone_may_write


def _check_allowed() -> None:
    if not _may_write():
        raise WriteRefused("saving or deleting proposals needs staff sign-in")


def proposal_id(name: str) -> str:
    """The area id for a proposal name: ``proposal:`` and a slug; a random id if the name has no letters.

    >>> proposal_id("Old Goucher + Charles Village!")
    'proposal:old-goucher-charles-village'
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:MAX_NAME_LENGTH]
    return ID_PREFIX + (slug or uuid.uuid4().hex[:12])


def _clean_text(value: str | None, what: str, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValueError(f"{what} is {len(text)} characters long; at most {limit} are kept")
    return text or None


def save_proposal(
    con: duckdb.DuckDBPyConnection,
    name: str,
    geometry: BaseGeometry,
    author: str | None = None,
    note: str | None = None,
    replace: bool = False,
) -> str:
    """Store a named proposal in one transaction and return its area id.

    Raises ``WriteRefused`` when the installed check says no (before anything else is looked at),
    ``ProposalExists`` when the name is taken (unless ``replace``), ``ValueError`` for an empty or
    overlong name or a geometry that is not a valid, non-empty polygon.
    """
    _check_allowed()
    clean_name = _clean_text(name, "the proposal name", MAX_NAME_LENGTH)
    if not clean_name:
        raise ValueError("a proposal needs a name")
    author = _clean_text(author, "the author", MAX_NAME_LENGTH)
    note = _clean_text(note, "the note", MAX_TEXT_LENGTH)
    if geometry is None or geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError("a proposal's geometry must be a non-empty polygon or multipolygon")
    if not geometry.is_valid:
        raise ValueError(
            "a proposal's geometry must be valid (check it with geo.proposal.check_proposal first)"
        )

    area_id = proposal_id(clean_name)
    cursor = con.cursor()  # the app shares one connection between sessions: write on a cursor of it
    try:
        with transaction(cursor):
            existing = cursor.execute("select kind, name from areas where area_id = ?", [area_id]).fetchone()
            if existing and (existing[0] != "proposal" or not replace):
                raise ProposalExists(
                    f"a proposal named {existing[1]!r} is already saved; choose another name"
                    + (" or replace it" if existing[0] == "proposal" else "")
                )
            table = target(cursor, "areas")  # in the app: its own file, which refreshes never replace
            if existing:
                cursor.execute(f"delete from {table} where area_id = ?", [area_id])
            cursor.execute(
                f"""
                insert into {table} (area_id, kind, name, edition, geom, area_km2, author, note, created_at)
                values (?, 'proposal', ?, null, st_geomfromwkb(?), ?, ?, ?, current_timestamp)
                """,
                [area_id, clean_name, geometry.wkb, area_km2(geometry), author, note],
            )
    finally:
        cursor.close()
    return area_id


def delete_proposal(con: duckdb.DuckDBPyConnection, area_id: str) -> bool:
    """Delete one saved proposal; True if it existed. Boundary areas are never touched.

    Raises ``WriteRefused`` when the installed check says no.
    """
    _check_allowed()
    if not area_id.startswith(ID_PREFIX):
        raise ValueError(f"{area_id!r} is not a proposal id (they start with {ID_PREFIX!r})")
    cursor = con.cursor()
    try:
        with transaction(cursor):
            deleted = cursor.execute(
                f"delete from {target(cursor, 'areas')} where area_id = ? and kind = 'proposal' "
                "returning area_id",
                [area_id],
            ).fetchall()
    finally:
        cursor.close()
    return bool(deleted)
