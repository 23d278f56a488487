"""The dashboard renders every page on a real build, and shows the warehouse's own figures.

Runs the app in-process with streamlit.testing (AppTest). Expected figures are read from the
warehouse file with SQL, never hard-coded.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qsl

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import KERNCIJFERS, PAGINA
from sdmonitor import nl

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGES = list(PAGINA.values())


def _sql(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _gemeente(warehouse: Path) -> str:
    return _sql(warehouse, "select gebied_code from dim_gebied where soort = 'gemeente'")[0][0]


def _verwacht(warehouse: Path, indicator: str, periode: str, gebied: str, uitsplitsing: str) -> str:
    """The text the dashboard must show for one cell, computed straight from the file."""
    rij = _sql(warehouse, """
        select f.waarde, f.onderdrukt, i.eenheid from fct_indicator f join dim_indicator i using (indicator)
        where indicator = ? and periode = ? and gebied_code = ? and uitsplitsing = ?""",
        [indicator, periode, gebied, uitsplitsing])
    assert rij, f"no row for {indicator} {periode} {gebied} {uitsplitsing}"
    waarde, onderdrukt, eenheid = rij[0]
    return nl.ONDERDRUKT if onderdrukt else nl.waarde(waarde, eenheid)


@pytest.fixture(scope="session")
def gaten_warehouse(demo_warehouse, tmp_path_factory) -> Path:
    """A copy of the demo build with a period and some wijken missing (facts, and one dim row)."""
    pad = tmp_path_factory.mktemp("gaten") / "monitor.duckdb"
    shutil.copy(demo_warehouse, pad)
    with duckdb.connect(str(pad)) as con:
        periodes = [r[0] for r in con.execute(
            "select distinct periode from fct_indicator order by periode").fetchall()]
        wijken = [r[0] for r in con.execute(
            "select gebied_code from dim_gebied where soort = 'wijk' order by gebied_code").fetchall()]
        midden = periodes[len(periodes) // 2]
        con.execute("delete from fct_indicator where periode = ?", [midden])
        con.execute("delete from dim_periode where periode = ?", [midden])
        con.execute("delete from fct_indicator where list_contains(?, gebied_code)", [wijken[:2]])
        # A wijk with figures but no longer in dim_gebied: must not break the wijk pages.
        con.execute("delete from dim_gebied where gebied_code = ?", [wijken[-1]])
    return pad


def _app(warehouse: Path, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("SDM_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo_build(demo_warehouse, monkeypatch, page):
    at = _app(demo_warehouse, monkeypatch)
    at.switch_page(page).run()
    _no_errors(at)
    assert at.title, "every page has a title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_missing_periods_and_wijken(gaten_warehouse, monkeypatch, page):
    at = _app(gaten_warehouse, monkeypatch)
    at.switch_page(page).run()
    _no_errors(at)


def test_family_pages_draw_charts(demo_warehouse, monkeypatch):
    at = _app(demo_warehouse, monkeypatch)
    for familie in ("vindbaarheid", "voorliggend_veld", "wachtlijsten", "overgang_18"):
        at.switch_page(PAGINA[familie]).run()
        assert len(at.get("vega_lite_chart")) >= 2, familie


def test_overview_opens_on_the_latest_complete_period(demo_warehouse, monkeypatch):
    at = _app(demo_warehouse, monkeypatch)
    # Complete: the half-year ended before every source's latest export.
    verwacht = _sql(demo_warehouse, """
        select max(periode) from dim_periode
        where einddatum < (select min(m) from (select max(exportdatum) m from load_log group by bron))
    """)[0][0] or _sql(demo_warehouse, "select max(periode) from fct_indicator")[0][0]
    assert at.selectbox(key="periode").value == verwacht


def test_overview_headline_figures_equal_the_warehouse(demo_warehouse, monkeypatch):
    at = _app(demo_warehouse, monkeypatch)
    periode = at.selectbox(key="periode").value
    gm = _gemeente(demo_warehouse)
    # One metric per tile, in the order of KERNCIJFERS (rows of three, left to right).
    assert len(at.metric) == len(KERNCIJFERS)
    for kern, metric in zip(KERNCIJFERS, at.metric):
        assert metric.label.endswith(nl.periode(periode))
        if kern.modus == "vast":
            assert metric.value == _verwacht(demo_warehouse, kern.indicator, periode, gm, kern.uitsplitsing), kern
        else:  # the most frequent breakdown value
            hoogste = _sql(demo_warehouse, "select max(waarde) from fct_indicator where indicator = ? "
                           "and periode = ? and gebied_code = ?", [kern.indicator, periode, gm])[0][0]
            assert metric.value == nl.waarde(hoogste, "aantal")


def test_period_in_the_url_selects_that_period(demo_warehouse, monkeypatch):
    eerste = _sql(demo_warehouse, "select min(periode) from fct_indicator")[0][0]
    at = _app(demo_warehouse, monkeypatch, {"periode": eerste})
    assert at.selectbox(key="periode").value == eerste
    assert nl.periode(eerste) in at.markdown[0].value or any(nl.periode(eerste) in m.value for m in at.markdown)


def test_three_clicks_from_overview_to_one_wijks_waiting_times(demo_warehouse, monkeypatch):
    at = _app(demo_warehouse, monkeypatch)
    periode = at.selectbox(key="periode").value
    # Click 1: the "Per wijk" link on the Wachtlijsten tile (carries the indicator in the URL).
    link = next(p for p in at.page_link
                if p.value == "Per wijk" and "indicator=pct_binnen_termijn" in p.proto.query_string)
    query = dict(parse_qsl(link.proto.query_string))
    at2 = _app(demo_warehouse, monkeypatch, query)
    at2.switch_page(PAGINA["wijken"]).run()
    _no_errors(at2)
    assert at2.selectbox(key="wijk_indicator").value == "pct_binnen_termijn"
    assert at2.selectbox(key="wijk_uitsplitsing").value == query["uitsplitsing"]
    # The grid's table holds every wijk's figure for that indicator, as in the warehouse.
    tabel = next(d.value for d in at2.dataframe if "Gebiedscode" in d.value.columns)
    wijk = tabel["Gebiedscode"].iloc[0]
    assert tabel["Weergave"].iloc[0] == _verwacht(demo_warehouse, "pct_binnen_termijn", periode, wijk,
                                                  query["uitsplitsing"])
    # Click 2: a wijk (in the browser: its tile; here the same choice through the selector).
    at2.selectbox(key="wijk_keuze").select(wijk).run()
    _no_errors(at2)
    naam = _sql(demo_warehouse, "select gebied_naam from dim_gebied where gebied_code = ?", [wijk])[0][0]
    assert any(naam in s.value for s in at2.subheader)
    assert at2.query_params["wijk"] == [wijk] or at2.query_params["wijk"] == wijk
    # The profile opens on the waiting times, with the wijk's figure as in the warehouse.
    profiel = [e.label for e in at2.expander if e.label in nl.FAMILIES.values()]
    assert profiel[0] == nl.familie_label("wachtlijsten")
    assert any(m.value == _verwacht(demo_warehouse, "pct_binnen_termijn", periode, wijk, query["uitsplitsing"])
               and naam in m.label for m in at2.metric)
    # And back to the gemeente.
    at2.button(key="terug").click().run()
    assert at2.selectbox(key="wijk_keuze").value == ""
    assert not any("Wijkprofiel" in s.value for s in at2.subheader)


def test_datakwaliteit_shows_load_counts_and_quarantine_reasons_only(demo_warehouse, monkeypatch):
    at = _app(demo_warehouse, monkeypatch)
    at.switch_page(PAGINA["datakwaliteit"]).run()
    _no_errors(at)
    build = _sql(demo_warehouse, "select max(build_id) from load_log")[0][0]
    geladen = _sql(demo_warehouse, "select sum(rijen_geladen) from load_log where build_id = ?", [build])[0][0]
    assert any(m.value == nl.getal(geladen) for m in at.metric)
    # Quarantine is shown as counts per reason: no line numbers or row content reach the screen.
    for d in at.dataframe:
        assert "Regel" not in d.value.columns and "regel" not in d.value.columns


@pytest.mark.parametrize(("maak", "melding"), [
    (lambda p: None, "nog geen warehouse"),
    (lambda p: p.write_bytes(b"dit is geen duckdb-bestand" * 100), "kan niet worden geopend"),
])
def test_missing_or_corrupt_warehouse_gives_a_dutch_message(tmp_path, monkeypatch, maak, melding):
    pad = tmp_path / "monitor.duckdb"
    maak(pad)
    at = _app(pad, monkeypatch)
    assert not at.exception
    assert melding in at.error[0].value


def test_empty_warehouse_gives_a_dutch_message(demo_warehouse, tmp_path, monkeypatch):
    pad = tmp_path / "leeg.duckdb"
    shutil.copy(demo_warehouse, pad)
    with duckdb.connect(str(pad)) as con:
        con.execute("delete from fct_indicator")
    at = _app(pad, monkeypatch)
    assert not at.exception
    assert "leeg" in at.error[0].value


def test_a_new_build_is_picked_up_without_restart(demo_warehouse, tmp_path, monkeypatch):
    pad = tmp_path / "monitor.duckdb"
    shutil.copy(demo_warehouse, pad)
    at = _app(pad, monkeypatch)
    _no_errors(at)
    # A rebuild swaps the file; the next rerun must read the new one (cache keyed on mtime).
    nieuw = tmp_path / "nieuw.duckdb"
    shutil.copy(demo_warehouse, nieuw)
    with duckdb.connect(str(nieuw)) as con:
        con.execute("delete from fct_indicator")
    nieuw.replace(pad)
    at.run()
    assert "leeg" in at.error[0].value


def _voor_eerste_export(warehouse: Path) -> list[str]:
    """Half-years that start before the half-year of the earliest export date (from load_log)."""
    eerste = _sql(warehouse, "select min(exportdatum) from load_log")[0][0]
    grens = eerste.replace(month=1 if eerste.month <= 6 else 7, day=1)
    return [r[0] for r in _sql(warehouse, "select distinct f.periode from fct_indicator f join dim_periode p "
                                          "using (periode) where p.begindatum < ? order by 1", [grens])]


def _chart_data(chart) -> list:
    """The data frames behind one chart (Streamlit sends them as Arrow, apart from the spec)."""
    import pyarrow as pa

    return [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]


def _trend_labels(at: AppTest) -> str:
    """Every chart's Vega-Lite spec as text (the x axis lists the half-years it shows)."""
    return " ".join(c.proto.spec for c in at.get("vega_lite_chart"))


def test_trends_and_period_list_start_at_the_first_export_unless_asked(demo_warehouse, monkeypatch):
    vooraf = _voor_eerste_export(demo_warehouse)
    assert vooraf, "the demo has long-running records from before its first export"
    at = _app(demo_warehouse, monkeypatch)
    opties = at.selectbox(key="periode").options
    assert not any(nl.periode(p) in opties for p in vooraf)
    at.switch_page(PAGINA["voorliggend_veld"]).run()
    _no_errors(at)
    specs = _trend_labels(at)
    assert "halfjaar" in specs  # the trends are there...
    assert not any(nl.periode(p) in specs for p in vooraf)  # ...without the partial half-years
    assert any("vóór de eerste export" in c.value for c in at.caption)
    # The shared sidebar checkbox brings them back, in the trends and the period list.
    at.checkbox(key="toon_onvolledig").check().run()
    _no_errors(at)
    specs = _trend_labels(at)
    assert all(nl.periode(p) in specs for p in vooraf)
    assert all(nl.periode(p) in at.selectbox(key="periode").options for p in vooraf)


def test_wijk_profile_trend_starts_at_the_first_export(demo_warehouse, monkeypatch):
    vooraf = _voor_eerste_export(demo_warehouse)
    wijk = _sql(demo_warehouse, "select min(gebied_code) from dim_gebied where soort = 'wijk'")[0][0]
    at = _app(demo_warehouse, monkeypatch, {"wijk": wijk, "indicator": "maatwerk_per_1000"})
    at.switch_page(PAGINA["wijken"]).run()
    _no_errors(at)
    specs = _trend_labels(at)
    assert "halfjaar" in specs and not any(nl.periode(p) in specs for p in vooraf)


def test_norm_lines_come_from_the_warehouse_not_the_config(demo_warehouse, tmp_path, monkeypatch):
    pad = tmp_path / "monitor.duckdb"
    shutil.copy(demo_warehouse, pad)
    with duckdb.connect(str(pad)) as con:
        rijen = con.execute("select team, stap, termijn_dagen from dim_termijn order by volgorde").fetchall()
        con.execute("update dim_termijn set termijn_dagen = 43 where team = 'wmo' and stap = 'melding_gesprek'")
    assert len(rijen) == 6 and ("bwmo", "indicatie_plaatsing", None) in rijen

    def geen_config(*args, **kwargs):
        raise AssertionError("the dashboard read the configuration")

    monkeypatch.setattr("sdmonitor.config.load_config", geen_config)
    at = _app(pad, monkeypatch)
    at.switch_page(PAGINA["wachtlijsten"]).run()
    _no_errors(at)
    assert any("wettelijke termijn 43 dagen" in c.value for c in at.caption)
    # The chosen stage's trend (the first chart) draws the term as its norm line.
    normen = [d for d in _chart_data(at.get("vega_lite_chart")[0]) if "norm" in d.columns]
    assert [(d["norm"].iloc[0], d["label"].iloc[0]) for d in normen] == [(43.0, "wettelijke termijn 43 dagen")]
    # bwmo has no term (null in dim_termijn): no norm line, never "nan dagen".
    at.selectbox(key="stap").select("stap=indicatie_plaatsing;team=bwmo").run()
    _no_errors(at)
    assert not [d for d in _chart_data(at.get("vega_lite_chart")[0]) if "norm" in d.columns]
    assert not any("nan" in c.value for c in at.caption)


def test_a_link_to_a_partial_half_year_shows_it_and_unticking_returns_to_the_default(demo_warehouse, monkeypatch):
    eerste = _voor_eerste_export(demo_warehouse)[0]
    at = _app(demo_warehouse, monkeypatch, {"periode": eerste})
    assert at.selectbox(key="periode").value == eerste
    assert at.checkbox(key="toon_onvolledig").value is True
    at.checkbox(key="toon_onvolledig").uncheck().run()
    _no_errors(at)
    standaard = _app(demo_warehouse, monkeypatch).selectbox(key="periode").value
    assert at.selectbox(key="periode").value == standaard
    assert at.checkbox(key="toon_onvolledig").value is False


def test_cached_figures_are_the_warehouses_own(demo_warehouse, monkeypatch):
    """dashboard/queries.py reads whole half-years (or whole indicators) and picks the rows a page
    asks for; those must be exactly the rows warehouse.cijfers returns for the same question."""
    import pandas as pd

    from dashboard import queries
    from sdmonitor import warehouse

    monkeypatch.setenv("SDM_WAREHOUSE", str(demo_warehouse))
    gm = _gemeente(demo_warehouse)
    wijk = _sql(demo_warehouse, "select min(gebied_code) from dim_gebied where soort = 'wijk'")[0][0]
    periode = _sql(demo_warehouse, "select max(periode) from fct_indicator")[0][0]
    vragen = [
        {"indicatoren": ["pct_voorliggend"], "gebieden": [gm]},
        {"indicatoren": ["pct_binnen_termijn"], "periodes": [periode], "soort": "wijk"},
        {"indicatoren": ["pct_binnen_termijn"], "periodes": [periode], "soort": "onbekend"},
        {"periodes": [periode], "gebieden": [wijk, gm]},
        {"indicatoren": ["maatwerk_per_1000"], "gebieden": [wijk, gm]},
        {"indicatoren": ["wachtend", "wachtend_langer_dan_termijn"], "periodes": [periode], "gebieden": [gm]},
    ]

    def gelijk(df: pd.DataFrame) -> pd.DataFrame:  # a missing text may come as None or NaN
        return df.astype(object).where(df.notna(), None)

    for vraag in vragen:
        for _ in range(2):  # the second answer comes from the cache
            pd.testing.assert_frame_equal(gelijk(queries.cijfers(**vraag)),
                                          gelijk(warehouse.cijfers(demo_warehouse, **vraag)), check_dtype=False)
