"""PNG downloads of the Impact page's charts, drawn on the server with matplotlib from the same tables
the page shows (matplotlib is imported only when a download is asked for)."""

from __future__ import annotations

import io

import pandas as pd

from ui.charts import NEUTRAL
from ui.impact_charts import AFTER, BEFORE


def _png(draw) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5), dpi=150)
    try:
        draw(ax)
        ax.grid(axis="y", color="#d9dde3")
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def event_study_png(frame: pd.DataFrame, title: str) -> bytes:
    def draw(ax) -> None:
        for label, rows, color, marker in (
            ("Before launch", frame.loc[frame["quarter"] < 0], BEFORE, "o"),
            ("After launch", frame.loc[frame["quarter"] >= 0], AFTER, "D"),
        ):
            ax.errorbar(
                rows["quarter"],
                rows["change_pct"],
                yerr=[rows["change_pct"] - rows["low_pct"], rows["high_pct"] - rows["change_pct"]],
                fmt=marker,
                color=color,
                capsize=3,
                label=label,
            )
        ax.axhline(0, color=NEUTRAL, linestyle="--", label="No change")
        ax.axvline(-0.5, color="#1b1f24", linestyle=":", label="Launch")
        ax.set_xlabel("Quarters from launch (−1 = reference)")
        ax.set_ylabel("Change against comparison areas (%)")
        ax.set_title(title, loc="left")
        ax.legend(frameon=False)

    return _png(draw)


def rearrest_png(frame: pd.DataFrame, title: str) -> bytes:
    def draw(ax) -> None:
        ax.fill_between(
            frame["months"],
            frame["low_pct"],
            frame["high_pct"],
            step="post",
            color="#0072B2",
            alpha=0.15,
            label="95% confidence band",
        )
        ax.step(
            frame["months"],
            frame["rearrested_pct"],
            where="post",
            color="#0072B2",
            linewidth=2.5,
            label="Re-arrested (Kaplan–Meier)",
        )
        ax.set_xlabel("Months since enrolment")
        ax.set_ylabel("Re-arrested (%)")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.set_title(title, loc="left")
        ax.legend(frameon=False)

    return _png(draw)
