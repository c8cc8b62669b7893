"""The chart builders, the table-and-download helper and the privacy helpers the Referrals page uses."""

import random
import re
from datetime import date

import pandas as pd
import plotly.io

from domain import privacy
from ui import charts, tables

HIDDEN = privacy.SUPPRESSED_TEXT


def _months(n: int, start: str = "2017-01-01") -> pd.Series:
    return pd.Series(pd.date_range(start, periods=n, freq="MS"))


def _font_sizes(fig) -> list[float]:
    layout = fig.layout
    sizes = [layout.font.size, layout.title.font.size, layout.legend.font.size]
    sizes += [a.font.size for a in layout.annotations]
    sizes += [t.textfont.size for t in fig.data if getattr(t, "textfont", None) and t.textfont.size]
    return [s for s in sizes if s is not None]


# --- privacy helpers -------------------------------------------------------------------------------------


def test_mask_small_in_column_hides_a_lone_small_count_and_its_complement():
    frame = pd.DataFrame({"reason": list("abcd"), "people": [25, 3, 9, 40]})
    masked = privacy.mask_small_in_column(frame, "people")
    # 3 is small; 9 (the next smallest) goes too, or 3 = total - 25 - 9 - 40.
    assert masked.people.isna().tolist() == [False, True, True, False]
    assert masked.people.dropna().tolist() == [25, 40]
    assert frame.people.tolist() == [25, 3, 9, 40]  # the input is left alone


def test_mask_small_in_column_leaves_zero_and_large_counts():
    frame = pd.DataFrame({"people": [0, 12, 7]})
    assert privacy.mask_small_in_column(frame, "people").people.tolist() == [0, 12, 7]
    two_small = privacy.mask_small_in_column(pd.DataFrame({"people": [2, 4, 30]}), "people")
    assert two_small.people.isna().tolist() == [True, True, False]


def test_hide_where_missing_and_public_delta():
    frame = pd.DataFrame({"referrals": [pd.NA, 8], "ratio": [12.5, 40.0]}).astype({"referrals": "Float64"})
    hidden = privacy.hide_where_missing(frame, "referrals", ["ratio"])
    assert hidden.ratio.isna().tolist() == [True, False]
    assert privacy.public_delta(12, 9) == 3
    assert privacy.public_delta(12, 3) is None  # 12 shown and +9 would give the 3 away
    assert privacy.public_delta(12, 3, public=False) == 9
    assert privacy.public_delta(0, 0) == 0
    assert privacy.public_delta(5, float("nan")) is None


# --- tables ----------------------------------------------------------------------------------------------


def test_public_table_writes_hidden_counts_as_words_and_keeps_labels():
    frame = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2017-02-01", "2017-03-01"]),
            "area_group": ["pilot_zone", "elsewhere"],
            "referrals": [pd.NA, 12],
            "unmasked_but_small": [3, 30],  # a last guard: a count column still holding 3 is hidden here
            "ratio": [0.5, 1.5],
        }
    )
    table = tables.table_for_reading(
        frame,
        counts=["referrals", "unmasked_but_small"],
        public=True,
        labels={"area_group": {"pilot_zone": "Pilot zone"}},
        names={"referrals": "Referrals"},
    )
    assert table["Referrals"].tolist() == [HIDDEN, "12"]
    assert table["unmasked_but_small"].tolist() == [HIDDEN, "30"]
    assert table["area_group"].tolist() == ["Pilot zone", "elsewhere"]
    assert table["period_start"].tolist() == [date(2017, 2, 1), date(2017, 3, 1)]
    csv = tables.csv_bytes(table).decode()
    assert csv.splitlines()[0] == "period_start,area_group,Referrals,unmasked_but_small,ratio"
    assert f"2017-02-01,Pilot zone,{HIDDEN},{HIDDEN},0.5" in csv
    assert not re.search(r",[1-4],", csv)


def test_staff_table_keeps_exact_counts():
    frame = pd.DataFrame({"caseload": [3, 31]})
    table = tables.table_for_reading(frame, counts=["caseload"], public=False)
    assert table.caseload.tolist() == [3, 31]
    assert tables.csv_bytes(table).decode().splitlines() == ["caseload", "3", "31"]


# --- charts ----------------------------------------------------------------------------------------------


def test_palette_is_one_colour_blind_safe_constant():
    assert len(set(charts.PALETTE)) == len(charts.PALETTE) == 8
    assert charts.PALETTE[:3] == ("#0072B2", "#C17D00", "#009E73")  # Okabe-Ito (orange darkened)
    assert charts.FONT_SIZE >= 16


def test_stacked_bars_show_hidden_splits_as_totals_and_mark_dates():
    frame = pd.DataFrame(
        {
            "period_start": _months(14),
            "arrest": [5] * 13 + [pd.NA],
            "social_contact": [6] * 13 + [pd.NA],
            "total": [11] * 14,
        }
    )
    markers = [
        charts.DateMarker(date(2017, 2, 1), "Pilot launch"),
        charts.DateMarker(date(2017, 11, 1), "District-wide (assumed date)"),
        charts.DateMarker(date(2030, 1, 1), "Outside the chart"),
    ]
    fig = charts.stacked_bars_over_time(
        frame, {"arrest": "Arrest", "social_contact": "Social contact"}, "Referrals", markers, total="total"
    )
    names = [trace.name for trace in fig.data]
    assert names == ["Arrest", "Social contact", f"Total only (a type had {HIDDEN})"]
    grey = fig.data[2]
    assert list(pd.to_datetime(grey.x)) == [pd.Timestamp("2018-02-01")] and list(grey.y) == [11]
    assert pd.isna(fig.data[0].y[-1])  # the hidden split is not drawn as zero
    assert [a.text for a in fig.layout.annotations] == ["Pilot launch", "District-wide (assumed date)"]
    assert [a.xanchor for a in fig.layout.annotations] == ["left", "right"]  # near the edge: hangs left
    assert [str(s.x0) for s in fig.layout.shapes] == ["2017-02-01", "2017-11-01"]
    assert fig.layout.barmode == "stack"
    assert min(_font_sizes(fig)) >= 16


def test_long_periods_get_yearly_ticks():
    frame = pd.DataFrame({"period_start": _months(96), "a": 5, "total": 5})
    fig = charts.stacked_bars_over_time(frame, {"a": "A"}, "t")
    assert (fig.layout.xaxis.dtick, fig.layout.xaxis.tickformat) == ("M12", "%Y")
    quarterly = charts.stacked_bars_over_time(frame.iloc[:8], {"a": "A"}, "t", months_per_step=3)
    assert quarterly.data[0].xperiod == "M3"


def test_funnel_labels_counts_with_shares_and_hides_small_ones():
    row = pd.Series({"referred": 200, "eligible": 150, "enrolled": 100, "active": pd.NA, "exited": 97})
    fig = charts.funnel(
        row, {"referred": "Referred", "eligible": "Eligible", "enrolled": "Enrolled"},
        {"active": "Still active", "exited": "Exited"}, "Funnel",
    )  # fmt: skip
    stages = fig.data[0]
    assert list(stages.y) == ["Referred", "Eligible", "Enrolled"]
    assert list(stages.x) == [200, 150, 100]
    assert list(stages.text) == ["200 (100%)", "150 (75%)", "100 (50%)"]
    active, exited = fig.data[1], fig.data[2]
    assert (active.name, list(active.x)) == ("Still active", [0.0])  # hidden: no length, not a number
    assert (exited.name, list(exited.x)) == ("Exited", [97.0])
    assert fig.layout.annotations[0].text == f"Still active {HIDDEN} · Exited 97 (48%)"
    assert min(_font_sizes(fig)) >= 16


def test_horizontal_bars_write_hidden_counts_in_words():
    frame = pd.DataFrame({"code": ["a", "b", "c"], "n": [40, pd.NA, 0]}).astype({"n": "Float64"})
    fig = charts.horizontal_bars(frame, "code", "n", "By code", labels={"a": "Alpha"})
    bars, words = fig.data
    assert list(bars.y) == ["Alpha", "b", "c"]
    assert list(bars.text) == ["40", HIDDEN, "0"]
    assert list(words.y) == ["b"] and list(words.text) == [HIDDEN]
    assert min(_font_sizes(fig)) >= 16


def test_lines_with_references_draw_the_cap_and_flag_points_over_it():
    frame = pd.DataFrame({"snapshot_on": _months(4), "max": [20, 29, 31, 12], "mean": [10, 12, 14, 9]})
    fig = charts.lines_with_references(
        frame,
        "snapshot_on",
        {"max": "Largest", "mean": "Average"},
        "Caseload",
        "Participants",
        references=[
            charts.Reference(28, "Baltimore cap: 28"),
            charts.Reference(25, "National: never over 25"),
        ],
        flag_over=charts.Reference(28, "Over the cap of 28"),
    )
    assert [s.y0 for s in fig.layout.shapes] == [28, 25]
    assert {a.text for a in fig.layout.annotations} == {"Baltimore cap: 28", "National: never over 25"}
    flagged = next(t for t in fig.data if t.name == "Over the cap of 28")
    assert list(flagged.y) == [29, 31]
    assert list(pd.to_datetime(flagged.x)) == [pd.Timestamp("2017-02-01"), pd.Timestamp("2017-03-01")]


def test_lines_by_group_draw_one_line_per_group_without_flags_under_the_cap():
    frame = pd.DataFrame(
        {
            "snapshot_on": list(_months(3)) * 2,
            "pair": ["A + a"] * 3 + ["B + b"] * 3,
            "caseload": [3, 5, 8, 10, 12, 14],
        }
    )
    fig = charts.lines_by_group(
        frame, "snapshot_on", "caseload", "pair", "Caseload", "Participants",
        flag_over=charts.Reference(28, "Over the cap"),
    )  # fmt: skip
    assert [t.name for t in fig.data] == ["A + a", "B + b"]
    assert list(fig.data[1].y) == [10, 12, 14]


def test_lines_by_group_draw_what_a_pivot_of_the_long_table_draws():
    """``lines_by_group`` reshapes with numpy; on random long tables (rows shuffled, some months missing
    for a group, hidden values) it draws exactly what the pivot it replaced drew."""
    rng = random.Random(8)
    for _ in range(40):
        months = list(_months(rng.randint(1, 14), "2016-03-01"))
        rows = [
            (m, g)
            for m in months
            for g in ("pilot_zone", "rest_of_central", "elsewhere")
            if rng.random() < 0.8
        ]
        rng.shuffle(rows)
        frame = pd.DataFrame(
            {
                "month": [m for m, _ in rows],
                "area_group": [g for _, g in rows],
                "n": [rng.randint(0, 40) for _ in rows],
            }
        )
        if rng.random() < 0.5:
            frame["n"] = frame["n"].astype("Float64").mask(frame["n"] < 5)  # as masked for a public view
            flag = None
        else:
            flag = charts.Reference(28, "Over the cap")
        options = {
            "labels": {"elsewhere": "Elsewhere"},
            "flag_over": flag,
            "markers": [charts.DateMarker(date(2016, 6, 1), "x")],
        }
        order = list(dict.fromkeys(frame["area_group"]))
        wide = (
            frame.pivot(index="month", columns="area_group", values="n").reindex(columns=order).reset_index()
        )
        series = {value: options["labels"].get(value, value) for value in order}
        pivoted = charts.lines_with_references(
            wide, "month", series, "T", "Y", flag_over=flag, markers=options["markers"]
        )
        drawn = charts.lines_by_group(frame, "month", "n", "area_group", "T", "Y", **options)
        assert plotly.io.to_json(drawn) == plotly.io.to_json(pivoted)


def test_counts_and_ratio_share_a_date_axis():
    frame = pd.DataFrame(
        {
            "period_start": _months(3),
            "arrests": [40, 50, 20],
            "referrals": [pd.NA, 10, 8],
            "ratio": [None, 20, 40],
        }
    )
    fig = charts.counts_and_ratio(
        frame, {"arrests": "Arrests", "referrals": "Referrals"}, "ratio", "Per 100", "t"
    )
    assert [t.name for t in fig.data] == ["Arrests", "Referrals", "Per 100"]
    assert list(fig.data[1].customdata) == [HIDDEN, "10", "8"]
    assert fig.data[2].yaxis == "y2" and fig.layout.xaxis.matches == "x2"
    # The house style reaches both rows' axes, not only the first.
    assert fig.layout.xaxis2.ticks == fig.layout.xaxis.ticks == "outside"
    assert fig.layout.yaxis2.gridcolor == fig.layout.yaxis.gridcolor == "#d9dde3"
    assert (fig.layout.yaxis.title.text, fig.layout.yaxis2.title.text) == ("Count", "Per 100")


def test_projector_size_built_in_one_go_is_what_for_projector_makes():
    frame = pd.DataFrame({"code": ["a", "b"], "n": [40, pd.NA]}).astype({"n": "Float64"})
    row = pd.Series({"referred": 200, "enrolled": 100, "active": 30, "exited": 70})
    builds = [
        lambda **size: charts.horizontal_bars(frame, "code", "n", "By code", **size),
        lambda **size: charts.funnel(
            row, {"referred": "Referred", "enrolled": "Enrolled"}, {"active": "A", "exited": "E"}, "F", **size
        ),
        lambda **size: charts.lines_with_references(
            pd.DataFrame({"m": _months(3), "c": [20, 29, 12]}), "m", {"c": "Caseload"}, "C", "People",
            references=[charts.Reference(28, "Cap")], markers=[charts.DateMarker(date(2017, 2, 1), "Launch")],
            **size,
        ),
    ]  # fmt: skip
    for build in builds:
        plain, built = build(), build(projector=True)
        assert built.to_json() == charts.for_projector(build()).to_json()
        assert min(_font_sizes(built)) >= charts.PROJECTOR_FONT_SIZE
        assert built.layout.height == round(1.2 * plain.layout.height)
        assert charts.for_projector(built).to_json() == built.to_json()  # already projector-sized
        assert build().to_json() == plain.to_json()  # the house style itself is left as it was


def test_builders_accept_an_empty_frame():
    frame = pd.DataFrame({"period_start": pd.Series([], dtype="datetime64[ns]"), "a": [], "total": []})
    assert len(charts.stacked_bars_over_time(frame, {"a": "A"}, "t", total="total").data) == 1
