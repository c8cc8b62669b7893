"""The real BPD arrest sample: race and sex as loaded equal the file's own counts, and the shares of
LEAD-eligible arrests by race in each district (printed with -s; quoted in the issue's note)."""

from __future__ import annotations

import pandas as pd
import pytest

from ingest.importers import import_arrests
from ingest.importers.people import RACE_SYNONYMS, SEX_SYNONYMS

pytestmark = pytest.mark.real_data

SAMPLE = "bpd_arrests_2017_2018_sample/BPD_Arrests_2017-01-01_to_2018-02-17.csv"


@pytest.fixture(scope="module")
def loaded(shared_real, tmp_path_factory):
    """The sample imported into an empty database: (connection, report, path)."""
    from ingest.areas import load_areas
    from store import connect, create_schema

    path = shared_real / SAMPLE
    if not path.exists():
        pytest.skip(f"{path} not present (the real sample lives in ../shared, outside the repository)")
    con = connect(tmp_path_factory.mktemp("equity_real") / "real.duckdb")
    create_schema(con)
    load_areas(con)
    report = import_arrests(con, path)
    yield con, report, path
    con.close()


def _file_rows(path) -> pd.DataFrame:
    """The file's own rows, read as text by pandas (not the importer), numbered from 1 as the importer
    numbers them."""
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    return rows.assign(row_number=range(1, len(rows) + 1))


def test_loaded_race_and_sex_mix_equals_the_files_own_counts(loaded):
    con, report, path = loaded
    assert report.rows_loaded > 26_000
    quarantined = {
        row[0]
        for row in con.execute(
            "select distinct row_number from quarantine where import_id = ?", [report.import_id]
        ).fetchall()
    }
    assert not con.execute(
        "select count(*) from quarantine where import_id = ? and field in ('Race', 'Sex')", [report.import_id]
    ).fetchone()[0]
    rows = _file_rows(path)
    kept = rows.loc[~rows["row_number"].isin(quarantined)]
    # a repeated arrest number is loaded once (its first good row)
    kept = kept.loc[(kept["Arrest"].str.strip() == "") | ~kept["Arrest"].duplicated()]
    assert len(kept) == report.rows_loaded
    for column, synonyms, stored in (("Race", RACE_SYNONYMS, "race"), ("Sex", SEX_SYNONYMS, "sex")):
        codes = kept[column].str.strip().str.lower()
        expected = codes.map(lambda code, s=synonyms: s[code] if code else "unknown").value_counts().to_dict()
        loaded_mix = dict(
            con.execute(f"select {stored}::varchar, count(*) from arrests group by 1").fetchall()
        )
        assert loaded_mix == expected, column
    file_mix = rows["Race"].value_counts().to_dict()
    assert file_mix["B"] > 20_000 and set(file_mix) == {"A", "B", "I", "U", "W"}


def test_shares_of_eligible_arrests_by_race_in_each_district(loaded):
    con, _, _ = loaded
    shares = con.sql(
        """
        with counted as (
            select coalesce(district, '(no district)') as district, race::varchar as race, count(*) as arrests
            from arrests
            where lead_category is not null
            group by 1, 2
        )
        select district, race, arrests,
               round(100.0 * arrests / sum(arrests) over (partition by district), 1) as pct
        from counted
        order by district, arrests desc
        """
    ).df()
    print("\nLEAD-eligible arrests by race and BPD district, real sample 2017-01-01 to 2018-02-17:")
    print(shares.to_string(index=False))
    by_district = shares.groupby("district")["pct"].sum()
    assert ((by_district - 100).abs() < 0.5).all()
    black = shares.loc[shares["race"] == "black"].set_index("district")["pct"]
    assert (black > 50).all()  # in every district most LEAD-eligible arrests were of Black people
