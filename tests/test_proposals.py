"""Saving, replacing and deleting named proposals (ingest.proposals), and reloading them exactly."""

import pytest
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.validation import make_valid

import ingest.proposals
import queries
from geo.proposal import area_km2, from_wkb_hex
from ingest.areas import load_areas
from ingest.proposals import ProposalExists, delete_proposal, proposal_id, save_proposal

# Coordinates with every digit a double holds, a hole, and two parts: nothing to round away.
WITH_HOLE = Polygon(
    [(-76.64012345678901, 39.28311111111111), (-76.62598765432109, 39.28300000000001),
     (-76.62600000000002, 39.29198765432101), (-76.64000000000003, 39.29212345678912)],
    holes=[[(-76.635, 39.286), (-76.631, 39.286), (-76.631, 39.289), (-76.635, 39.289)]],
)  # fmt: skip
TWO_PARTS = MultiPolygon(
    [box(-76.600113, 39.294985, -76.585007, 39.305081), box(-76.58, 39.28, -76.57, 39.29)]
)


def saved_rows(con):
    return queries.run(con, "proposal_list")


def test_a_saved_proposal_reloads_with_identical_geometry(empty_con):
    for name, geometry in (("West side", WITH_HOLE), ("East side, two parts", TWO_PARTS)):
        save_proposal(empty_con, name, geometry, "A. Planner", "first draft")
    rows = saved_rows(empty_con).set_index("name")
    for name, geometry in (("West side", WITH_HOLE), ("East side, two parts", TWO_PARTS)):
        reloaded = from_wkb_hex(rows.loc[name, "wkb_hex"])
        assert reloaded.wkb == geometry.wkb  # byte for byte: same coordinates, same ring order
        assert reloaded.equals_exact(geometry, tolerance=0)


def test_a_saved_proposal_carries_its_author_note_time_and_area(empty_con):
    area_id = save_proposal(empty_con, "  West side  ", WITH_HOLE, "A. Planner", "near Lexington Market")
    assert area_id == "proposal:west-side"
    kind, name, author, note, created_at, stored_km2 = empty_con.execute(
        "select kind, name, author, note, created_at, area_km2 from areas where area_id = ?", [area_id]
    ).fetchone()
    assert (kind, name, author, note) == ("proposal", "West side", "A. Planner", "near Lexington Market")
    assert created_at is not None
    assert stored_km2 == pytest.approx(area_km2(WITH_HOLE))
    assert stored_km2 < area_km2(Polygon(WITH_HOLE.exterior))  # the hole is not counted


def test_a_taken_name_is_refused_and_nothing_changes(empty_con):
    save_proposal(empty_con, "West side", WITH_HOLE)
    with pytest.raises(ProposalExists, match="'West side' is already saved"):
        save_proposal(empty_con, "west side!", TWO_PARTS)  # same slug, same proposal
    rows = saved_rows(empty_con)
    assert len(rows) == 1
    assert from_wkb_hex(rows.wkb_hex[0]).wkb == WITH_HOLE.wkb


def test_replace_swaps_the_geometry(empty_con):
    save_proposal(empty_con, "West side", WITH_HOLE, note="first")
    save_proposal(empty_con, "West side", TWO_PARTS, note="second", replace=True)
    rows = saved_rows(empty_con)
    assert len(rows) == 1 and rows.note[0] == "second"
    assert from_wkb_hex(rows.wkb_hex[0]).wkb == TWO_PARTS.wkb


def test_a_failed_replace_keeps_the_old_proposal(empty_con, monkeypatch):
    """The delete and the insert share one transaction: a failure between them loses nothing."""
    save_proposal(empty_con, "West side", WITH_HOLE, note="first")

    def broken_measure(_geometry):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest.proposals, "area_km2", broken_measure)
    with pytest.raises(RuntimeError, match="disk full"):
        save_proposal(empty_con, "West side", TWO_PARTS, note="second", replace=True)
    rows = saved_rows(empty_con)
    assert len(rows) == 1 and rows.note[0] == "first"
    assert from_wkb_hex(rows.wkb_hex[0]).wkb == WITH_HOLE.wkb


@pytest.mark.parametrize(
    ("name", "geometry", "message"),
    [
        ("   ", WITH_HOLE, "needs a name"),
        ("x" * 81, WITH_HOLE, "at most 80"),
        ("Bowtie", Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), "must be valid"),
        ("Empty", Polygon(), "non-empty polygon"),
        ("Line", make_valid(Polygon([(0, 0), (1, 1), (2, 2)])), "non-empty polygon"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(empty_con, name, geometry, message):
    with pytest.raises(ValueError, match=message):
        save_proposal(empty_con, name, geometry)
    assert saved_rows(empty_con).empty


def test_a_proposal_cannot_take_a_boundary_id(empty_con):
    with pytest.raises(ValueError):
        delete_proposal(empty_con, "nsa:Downtown")
    assert empty_con.execute("select count(*) from areas where area_id = 'nsa:Downtown'").fetchone()[0] == 1


def test_delete_removes_only_that_proposal(empty_con):
    keep = save_proposal(empty_con, "Keep", WITH_HOLE)
    doomed = save_proposal(empty_con, "Doomed", TWO_PARTS)
    assert delete_proposal(empty_con, doomed) is True
    assert delete_proposal(empty_con, doomed) is False
    assert list(saved_rows(empty_con).area_id) == [keep]


def test_reloading_boundaries_keeps_saved_proposals(empty_con):
    save_proposal(empty_con, "West side", WITH_HOLE)
    load_areas(empty_con)
    assert list(saved_rows(empty_con).name) == ["West side"]


def test_proposal_ids_are_readable_slugs():
    assert proposal_id("Pigtown + Carroll Park (v2)") == "proposal:pigtown-carroll-park-v2"
    assert proposal_id("Barrio Señorial") == "proposal:barrio-senorial"
    no_letters = proposal_id("★★★")
    assert no_letters.startswith("proposal:") and len(no_letters) > len("proposal:") + 8
