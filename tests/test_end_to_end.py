"""End to end: generated exports -> sdmonitor build -> the overview's figures.

Each headline figure of the overview is recomputed here with independent SQL over the landed
rows (the build database's raw tables), straight from the spec's definitions, and must equal
both the published fct_indicator cell and the text the overview page shows.
"""

from __future__ import annotations

import os

import duckdb
import pandas as pd
import pytest

from sdmonitor import nl, warehouse
from sdmonitor.build import build_dir_for
from sdmonitor.config import load_config

CONFIG = load_config()

# Independent definitions of the overview's headline figures: (teller, noemer, factor) per cell.
# $ps / $pe are the period's first and last day, $p its code; $gm the gemeente code.
INDEPENDENT_SQL = {
    ("pct_wist_waar", "onderzoek=ceo_wmo"): """
        select sum(coalesce(weging, 1)) filter (where antwoord in ('4', '5')) * 100
                 / sum(coalesce(weging, 1)) as waarde,
               count(*) filter (where antwoord in ('4', '5')) as teller, count(*) as noemer
        from raw.enquete
        where onderzoek = 'ceo_wmo' and vraag = 'wist_waar' and meetperiode = $p
          and antwoord in ('1', '2', '3', '4', '5')
    """,
    ("pct_voorliggend", ""): """
        with answered as (
            select uitkomst in ('eigen_kracht', 'sociaal_netwerk', 'algemene_voorziening') as vl
            from raw.wmo where datum_melding between $ps and $pe
              and uitkomst in ('eigen_kracht', 'sociaal_netwerk', 'algemene_voorziening', 'maatwerkvoorziening')
            union all
            select uitkomst in ('voorliggend_veld', 'lokaal_team')
            from raw.jeugd where datum_melding between $ps and $pe
              and uitkomst in ('voorliggend_veld', 'lokaal_team', 'jeugdhulp_ambulant',
                               'jeugdhulp_verblijf', 'jeugdbescherming', 'jeugdreclassering')
            union all
            select true from raw.voorliggend where datum_contact between $ps and $pe and afgehandeld
        )
        select 100.0 * count(*) filter (where vl) / count(*) as waarde,
               count(*) filter (where vl) as teller, count(*) as noemer
        from answered
    """,
    ("maatwerk_per_1000", ""): """
        with clients as (
            select count(distinct client_pseudo) as n from raw.wmo
            where uitkomst = 'maatwerkvoorziening' and datum_start_ondersteuning <= $pe
              and (datum_einde_ondersteuning is null or datum_einde_ondersteuning >= $ps)
        )
        select 1000.0 * n / (select sum(inwoners) from raw.ref_wijken) as waarde,
               n as teller, (select sum(inwoners) from raw.ref_wijken) as noemer
        from clients
    """,
    ("pct_binnen_termijn", "stap=melding_gesprek;team=wmo"): """
        with stages as (
            select datum_melding as start_d, datum_gesprek as end_d from raw.wmo
            where not (datum_gesprek is null and coalesce(uitkomst, '') in ('geen', 'doorverwezen'))
        )
        select 100.0 * count(*) filter (where end_d between $ps and $pe and end_d - start_d <= $term)
                 / count(*) as waarde,
               count(*) filter (where end_d between $ps and $pe and end_d - start_d <= $term) as teller,
               count(*) as noemer
        from stages
        where end_d between $ps and $pe
           or (start_d <= $pe and (end_d is null or end_d > $pe) and $pe - start_d > $term)
    """,
    ("wachtend", "stap=melding_gesprek;team=wmo"): """
        select count(*) as waarde, null as teller, null as noemer from raw.wmo
        where not (datum_gesprek is null and coalesce(uitkomst, '') in ('geen', 'doorverwezen'))
          and datum_melding <= $pe and (datum_gesprek is null or datum_gesprek > $pe)
    """,
    ("bezettingsgraad", "team=wmo"): """
        select 100 * sum(fte_bezet) / sum(fte_formatie) as waarde,
               sum(fte_bezet) as teller, sum(fte_formatie) as noemer
        from raw.capaciteit where team = 'wmo' and maand between $ps and $pe
    """,
    ("pct_huishoudens_multi_team", ""): """
        with known as (
            select huishouden_pseudo as hh, 'wmo' as team from raw.wmo
            where datum_melding between $ps and $pe
               or (datum_start_ondersteuning <= $pe
                   and (datum_einde_ondersteuning is null or datum_einde_ondersteuning >= $ps))
            union select huishouden_pseudo, 'jeugd' from raw.jeugd
            where datum_melding between $ps and $pe
               or (datum_start_hulp <= $pe and (datum_einde_hulp is null or datum_einde_hulp >= $ps))
            union select huishouden_pseudo, 'inkomen' from raw.inkomen
            where datum_aanvraag between $ps and $pe
            union select huishouden_pseudo, 'schuldhulp' from raw.schuldhulp
            where datum_aanmelding <= $pe and (datum_einde is null or datum_einde >= $ps)
            union select huishouden_pseudo, 'voorliggend' from raw.voorliggend
            where datum_contact between $ps and $pe
        ),
        per_household as (select hh, count(distinct team) as teams from known where hh is not null group by hh)
        select 100.0 * count(*) filter (where teams >= 2) / count(*) as waarde,
               count(*) filter (where teams >= 2) as teller, count(*) as noemer
        from per_household
    """,
    ("pct_vervolg_geregeld", ""): """
        with dossiers as (
            select *, (geboortemaand + interval 18 year)::date as bday from raw.jeugd
            where uitkomst in ('jeugdhulp_ambulant', 'jeugdhulp_verblijf', 'jeugdbescherming', 'jeugdreclassering')
              and geboortemaand is not null
        ),
        cohort as (
            select * from dossiers
            where datum_start_hulp <= bday and (datum_einde_hulp is null or datum_einde_hulp >= bday)
              and bday between $ps and $pe
            qualify row_number() over (
                partition by client_pseudo order by datum_start_hulp desc, dossiernummer desc) = 1
        ),
        judged as (
            select coalesce(verlengde_jeugdhulp, false)
                or vervolg_na_18 in ('wlz', 'zvw_ggz', 'geen_nodig')
                or (vervolg_na_18 = 'wmo' and exists (
                        select 1 from raw.wmo w where w.client_pseudo = c.client_pseudo
                        and abs(w.datum_melding - c.bday) <= $follow))
                or (vervolg_na_18 = 'participatiewet' and exists (
                        select 1 from raw.inkomen i where i.client_pseudo = c.client_pseudo
                        and abs(i.datum_aanvraag - c.bday) <= $follow)) as geregeld
            from cohort c
        )
        select 100.0 * count(*) filter (where geregeld) / count(*) as waarde,
               count(*) filter (where geregeld) as teller, count(*) as noemer
        from judged
    """,
}


@pytest.fixture(scope="module")
def periode(demo_warehouse) -> str:
    return warehouse.laatste_volledige_periode(demo_warehouse)


@pytest.fixture(scope="module")
def landed(demo_warehouse):
    con = duckdb.connect(str(build_dir_for(demo_warehouse) / "build.duckdb"), read_only=True)
    yield con
    con.close()


def _period_bounds(code: str) -> tuple[str, str]:
    year, half = code.split("-")
    return (f"{year}-01-01", f"{year}-06-30") if half == "H1" else (f"{year}-07-01", f"{year}-12-31")


def _published_cell(demo_warehouse, indicator: str, periode: str, uitsplitsing: str) -> dict:
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        frame = con.execute(
            "select * from fct_indicator where indicator = ? and periode = ? and gebied_code = ? "
            "and uitsplitsing = ?",
            [indicator, periode, CONFIG.gemeente_code, uitsplitsing],
        ).df()
    assert len(frame) == 1, f"expected one gemeente cell for {indicator} {periode} {uitsplitsing!r}"
    return frame.iloc[0].to_dict()


@pytest.mark.parametrize("indicator,uitsplitsing", list(INDEPENDENT_SQL), ids=lambda v: v or "-")
def test_headline_equals_independent_sql(demo_warehouse, landed, periode, indicator, uitsplitsing):
    ps, pe = _period_bounds(periode)
    term = CONFIG.termijnen["wmo_melding_gesprek"]
    sql = INDEPENDENT_SQL[(indicator, uitsplitsing)]
    for name, value in (("$ps", f"date '{ps}'"), ("$pe", f"date '{pe}'"), ("$p", f"'{periode}'"),
                        ("$term", str(term)), ("$follow", str(CONFIG.follow_up_dagen))):
        sql = sql.replace(name, value)
    expected = landed.execute(sql).df().iloc[0]
    cell = _published_cell(demo_warehouse, indicator, periode, uitsplitsing)

    small_ratio = pd.notna(expected["noemer"]) and expected["noemer"] < CONFIG.min_noemer
    if small_ratio:
        assert cell["onderdrukt"], "a ratio with a small noemer must be suppressed"
        return
    assert not cell["onderdrukt"]
    assert cell["waarde"] == pytest.approx(float(expected["waarde"]), rel=1e-9, abs=1e-9)
    if indicator != "wachtend":
        assert cell["teller"] == pytest.approx(float(expected["teller"]))
        assert cell["noemer"] == pytest.approx(float(expected["noemer"]))


def test_overview_shows_the_published_figures(demo_warehouse, periode, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from dashboard.components import waarde_tekst
    from sdmonitor.kerncijfers import KERNCIJFERS

    monkeypatch.setenv("SDM_WAREHOUSE", str(demo_warehouse))
    app = AppTest.from_file("../dashboard/app.py", default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    shown = {metric.value for metric in app.metric}
    checked = 0
    for kern in KERNCIJFERS:
        if kern.modus != "vast":
            continue
        cell = _published_cell(demo_warehouse, kern.indicator, periode, kern.uitsplitsing)
        with duckdb.connect(str(demo_warehouse), read_only=True) as con:
            (cell["eenheid"],) = con.execute(
                "select eenheid from dim_indicator where indicator = ?", [kern.indicator]
            ).fetchone()
        assert waarde_tekst(cell) in shown, f"{kern.indicator}: {waarde_tekst(cell)} not on the overview"
        checked += 1
    assert checked >= 7
    assert nl.periode(periode) in " ".join(m.value for m in app.markdown)


def test_build_reports_every_row(demo_warehouse):
    """Row conservation on the demo data: nothing unexplained, nothing quarantined."""
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        read, loaded, quarantined, superseded = con.execute(
            "select sum(rijen_gelezen), sum(rijen_geladen), sum(rijen_quarantaine), sum(rijen_vervangen) "
            "from load_log where build_id = (select build_id from build_info)"
        ).fetchone()
    assert read == loaded + quarantined + superseded
    assert quarantined == 0
    assert loaded > 10_000


def test_dashboard_reads_no_row_level_table(demo_warehouse):
    """The published file holds aggregates only: no pseudonym column anywhere."""
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        columns = {r[0] for r in con.execute("select column_name from duckdb_columns()").fetchall()}
    assert not {c for c in columns if c.endswith("_pseudo") or c == "respondent_id"}
    assert os.path.getsize(demo_warehouse) > 0
