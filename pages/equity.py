"""Equity: at each decision point — eligible arrest, referral, eligibility, enrolment, engagement — who
gets through, by race, sex and age, and each group's rate against a reference group's.

What the page shows comes from the screen model, screens/equity.py; this file holds the headings, the
widgets and the layout.
"""

from functools import partial

import streamlit as st

from domain import equity as rules
from screens import equity
from screens.referrals import area_names, default_area
from ui import charts, tables
from ui.chrome import current_view
from ui.data import query
from ui.filters import EQUITY_AREA, EQUITY_BREAKDOWN, EQUITY_POINT, EQUITY_REFERENCE, draw

st.title("Equity")
st.caption(
    "Of the people arrested for LEAD-eligible offenses, who is referred, who is confirmed eligible, who "
    "enrols and who stays engaged — by race, by sex and by age, with each group's rate against a "
    "reference group's (the Relative Rate Index)."
)

view = current_view()
if view is None:
    st.stop()  # the database is empty; the banner above says how to build it
public = view.public
projector = tables.projector_on()

names = area_names(query("area_list", edition="1959-2022"))
picker, by, against = st.columns([3, 2, 2])
with picker:
    area_id = draw(EQUITY_AREA, options=list(names), default=default_area(names), format=names.get)
with by:
    breakdown = draw(EQUITY_BREAKDOWN)
with against:
    reference = draw(EQUITY_REFERENCE[breakdown])
point = draw(EQUITY_POINT)

chosen = equity.Selection(
    area_id=area_id,
    area_label=names[area_id],
    breakdown=breakdown,
    reference=reference,
    point=point,
    start_date=view.start_date,
    end_date=view.end_date,
    public=public,
)


# Kept per query result and choice: going back to a view already seen costs nothing, and a change of
# breakdown, reference or decision point reuses the one cached query.
@st.cache_data(show_spinner=False, max_entries=256, ttl=3600)
def screen_for(result, chosen: equity.Selection) -> equity.EquityScreen:
    return equity.build_screen(result, chosen)


screen = screen_for(query(equity.QUERY, **equity.query_params(chosen)), chosen)


def text_table(table, key: str, title: str) -> None:
    """A table exactly as its CSV download holds it (hidden counts and marks in words)."""
    st.dataframe(table, hide_index=True, key=f"{key}_table")
    st.download_button(
        f"Download CSV: {title}",
        data=partial(tables.csv_bytes, table),
        file_name=f"{key}_{screen.file_tag}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"{key}_csv",
        on_click="ignore",
    )


st.subheader(screen.heading)
if screen.empty:
    st.info(screen.empty)
    st.stop()

st.header("Relative Rate Index")
for line in screen.readings:
    st.markdown(f"- {line}")
if screen.chart:
    chart = screen.chart
    tables.chart_with_data(
        charts.rate_ratios(chart.frame, chart.title, chart.x_title, projector=projector),
        chart.frame,
        key="equity_ratios",
        title="relative rate index at the decision point",
        file_name=f"equity_rri_{point}_{screen.file_tag}",
        public=public,
        names={"group": "Group", "rri": rules.RRI_LABEL, "low": "95% CI from", "high": "95% CI to",
               "note": "Note"},
    )  # fmt: skip
text_table(screen.ratio_table, "equity_rri", "relative rate index")

st.header("People at each decision point")
text_table(screen.counts_table, "equity_counts", "counts and rates")

st.header("The Relative Rate Index year by year")
if screen.trend is not None and not screen.trend.empty:
    tables.chart_with_data(
        charts.lines_by_group(
            screen.trend, "year", "rri", "group", screen.trend_title, rules.RRI_LABEL,
            references=[charts.Reference(1, "Same rate as the reference group")], projector=projector,
        ),
        screen.trend,
        key="equity_trend",
        title="relative rate index by year",
        file_name=f"equity_rri_by_year_{point}_{screen.file_tag}",
        public=public,
        names={"year": "Year", "group": "Group", "rri": rules.RRI_LABEL, "low": "95% CI from",
               "high": "95% CI to"},
    )  # fmt: skip
else:
    st.info("No year of the period has enough people in both groups to compare.")

with st.expander("How these figures are made, and sources", expanded=not public):
    st.markdown(rules.METHOD_NOTE)
    for note in screen.notes:
        st.caption(note)
    st.markdown("\n".join(f"- {source}" for source in rules.SOURCES))
