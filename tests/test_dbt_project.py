"""The dbt project, built for real on a tiny synthetic raw database (no landing step needed).

`make_raw_db` writes the landed tables exactly as sdmonitor/land.py leaves them (via
sdmonitor.rawschema), with a few hundred deterministic typed rows; `dbt build` then runs every
model, data test and unit test in-process, and the assertions check the grid and the privacy
rules on the result.
"""

from __future__ import annotations

import json
import os
import random
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from sdmonitor.config import DBT_PROJECT_DIR, load_config
from sdmonitor.errors import CheckFailed
from sdmonitor.rawschema import create_raw_tables
from sdmonitor.resources import MEMORY_LIMIT_ENV, memory_limit

WIJKEN = [
    "WK015001", "WK015003", "WK015004", "WK015005", "WK015006", "WK015007", "WK015008",
    "WK015009", "WK015010", "WK015011", "WK015012", "WK015014", "WK015015",
]
# Lettele (WK015014) and Schalkhaar (WK015012) get few records: their cells are suppressed.
WIJK_GEWICHT = [10, 10, 8, 9, 10, 9, 9, 8, 10, 7, 1, 0.3, 5]
START, EIND = date(2023, 1, 2), date(2024, 12, 20)
EERSTE_EXPORT = date(2023, 7, 1)


def _dag(rng: random.Random, lo: date = START, hi: date = EIND) -> date:
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))


def _later(rng: random.Random, d: date | None, lo: int, hi: int, kans: float = 0.85) -> date | None:
    if d is None or rng.random() > kans:
        return None
    out = d + timedelta(days=rng.randint(lo, hi))
    return out if out <= EIND else None


def _wijk(rng: random.Random) -> str:
    return "onbekend" if rng.random() < 0.05 else rng.choices(WIJKEN, WIJK_GEWICHT)[0]


def _rows(rng: random.Random) -> dict[str, list[dict]]:
    huishoudens = [f"H{i:04d}" for i in range(260)]
    clients = [f"C{i:04d}" for i in range(400)]
    out: dict[str, list[dict]] = {k: [] for k in
                                  ("wmo", "jeugd", "bwmo", "inkomen", "schuldhulp", "voorliggend",
                                   "enquete", "regie", "capaciteit")}
    for i in range(420):
        m = _dag(rng)
        uitkomst = rng.choice(["eigen_kracht", "sociaal_netwerk", "algemene_voorziening",
                               "maatwerkvoorziening", "maatwerkvoorziening", "doorverwezen", "geen", None])
        gesprek = _later(rng, m, 5, 60)
        aanvraag = _later(rng, gesprek, 0, 10, 0.6) if uitkomst == "maatwerkvoorziening" else None
        besluit = _later(rng, aanvraag, 3, 25)
        start = _later(rng, besluit or m, 5, 30, 0.9) if uitkomst == "maatwerkvoorziening" else None
        out["wmo"].append({
            "meldingnummer": f"M{i}", "client_pseudo": rng.choice(clients), "huishouden_pseudo": rng.choice(huishoudens),
            "geboortejaar": rng.randint(1930, 2005), "wijk_code": _wijk(rng),
            "kanaal": rng.choice(["telefoon", "mail", "inloop", "digitaal", "huisarts"]),
            "datum_melding": m, "datum_gesprek": gesprek, "datum_aanvraag": aanvraag, "datum_besluit": besluit,
            "besluit": ("toegekend" if besluit else None), "uitkomst": uitkomst,
            "voorziening": ("begeleiding" if uitkomst == "maatwerkvoorziening" else None),
            "datum_start_ondersteuning": start, "datum_einde_ondersteuning": _later(rng, start, 30, 400, 0.4),
            "hulpvraag_domein": rng.choice(["wonen", "zorg_gezondheid", "financien", "sociaal_netwerk"]),
            "doorverwezen_naar": (rng.choice(["jeugd", "inkomen", "schuldhulp"]) if rng.random() < 0.15 else None),
        })
    for i in range(260):
        m = _dag(rng)
        geboren = date(rng.choice([2005, 2005, 2006, 2006, 2007]) if rng.random() < 0.6 else rng.randint(2007, 2018),
                       rng.randint(1, 12), 1)
        uitkomst = rng.choice(["voorliggend_veld", "lokaal_team", "jeugdhulp_ambulant", "jeugdhulp_ambulant",
                               "jeugdhulp_verblijf", "jeugdbescherming", "geen", None])
        start = _later(rng, m - timedelta(days=400), 10, 70) if uitkomst and uitkomst.startswith("jeugd") else None
        out["jeugd"].append({
            "dossiernummer": f"D{i}", "client_pseudo": rng.choice(clients), "huishouden_pseudo": rng.choice(huishoudens),
            "geboortemaand": geboren, "wijk_code": _wijk(rng),
            "verwijzer": rng.choice(["gemeente", "gemeente", "huisarts", "jeugdarts"]),
            "datum_melding": m, "datum_besluit": _later(rng, m, 10, 80), "uitkomst": uitkomst,
            "datum_start_hulp": start, "datum_einde_hulp": _later(rng, start, 60, 500, 0.3),
            "verlengde_jeugdhulp": rng.choice([True, False, None]),
            "datum_toekomstplan": max(START, date(geboren.year + 17, geboren.month, 1)
                                   - timedelta(days=rng.randint(-60, 120))) if geboren.year <= 2007 else None,
            "vervolg_na_18": rng.choice(["wmo", "wlz", "participatiewet", "geen_nodig", None]),
        })
    for i in range(60):
        a = _dag(rng)
        ind = _later(rng, a, 5, 40)
        out["bwmo"].append({
            "aanmeldnummer": f"B{i}", "client_pseudo": rng.choice(clients),
            "herkomstgemeente": rng.choice(["GM0150", "GM0150", "GM1773", "GM0177"]),
            "voorziening": rng.choice(["beschermd_wonen", "maatschappelijke_opvang"]),
            "datum_aanmelding": a, "datum_indicatie": ind, "datum_plaatsing": _later(rng, ind, 10, 200, 0.7),
            "datum_uitstroom": None, "status": rng.choice(["wachtlijst", "geplaatst", "ingetrokken"]),
        })
    for i in range(300):
        a = _dag(rng)
        b = _later(rng, a, 5, 80)
        out["inkomen"].append({
            "aanvraagnummer": f"I{i}", "client_pseudo": rng.choice(clients), "huishouden_pseudo": rng.choice(huishoudens),
            "wijk_code": _wijk(rng), "regeling": rng.choice(["bijstand", "bijzondere_bijstand"]),
            "datum_aanvraag": a, "datum_besluit": b,
            "besluit": (rng.choice(["toegekend", "afgewezen", "ingetrokken"]) if b else None),
            "bedrag_per_maand": round(rng.uniform(50, 1200), 2),
        })
    for i in range(200):
        a = _dag(rng)
        spoed = rng.random() < 0.2
        out["schuldhulp"].append({
            "aanmeldnummer": f"S{i}", "client_pseudo": rng.choice(clients), "huishouden_pseudo": rng.choice(huishoudens),
            "wijk_code": _wijk(rng), "bron_aanmelding": rng.choice(["zelf", "vroegsignalering"]), "spoed": spoed,
            "datum_aanmelding": a, "datum_eerste_gesprek": _later(rng, a, 1, 8 if spoed else 45),
            "datum_plan_van_aanpak": None, "datum_einde": _later(rng, a, 60, 300, 0.5), "traject": None,
        })
    for i in range(400):
        out["voorliggend"].append({
            "contactnummer": f"V{i}", "huishouden_pseudo": (rng.choice(huishoudens) if rng.random() < 0.6 else None),
            "wijk_code": _wijk(rng), "organisatie": rng.choice(["voor_elkaar_team", "geldfit", "welzijn"]),
            "datum_contact": _dag(rng), "thema": rng.choice(["wonen", "financien", "opvoeden", "sociaal_netwerk"]),
            "afgehandeld": rng.choice([True, True, False, None]),
            "doorverwezen_naar": (rng.choice(["wmo", "schuldhulp", "inkomen", "bwmo"]) if rng.random() < 0.2 else None),
        })
    for r in range(500):
        onderzoek = rng.choice(["ceo_wmo", "ceo_jeugd", "bewonersonderzoek", "bewonersonderzoek"])
        periode = rng.choice(["2023-H1", "2024-H1"]) if onderzoek != "bewonersonderzoek" else rng.choice(
            ["2023-H1", "2023-H2", "2024-H1", "2024-H2"])
        vragen = ["wist_waar", "serieus_genomen"] if onderzoek != "bewonersonderzoek" else [
            "weet_waar_terecht", "toegang_bereikbaar"]
        wijk = _wijk(rng)
        for vraag in vragen:
            out["enquete"].append({
                "respondent_id": f"R{r}", "onderzoek": onderzoek, "meetperiode": periode, "wijk_code": wijk,
                "leeftijdsklasse": "35-64", "vraag": vraag, "antwoord": rng.choice("123445589"),
                "weging": round(rng.uniform(0.5, 2.0), 3),
            })
    for i in range(40):
        out["regie"].append({
            "casusnummer": f"R{i}", "huishouden_pseudo": rng.choice(huishoudens), "ingebracht_door": "wmo",
            "datum_opschaling": _dag(rng), "datum_afschaling": None,
            "niveau": rng.choice(["procesregisseur", "doorbraakteam"]),
            "resultaat": rng.choice(["plan_akkoord", "doorbraak", None]),
        })
    for team in ("wmo", "jeugd", "inkomen", "schuldhulp", "bwmo"):
        for j in range(24):
            out["capaciteit"].append({
                "team": team, "maand": date(2023 + j // 12, j % 12 + 1, 1), "fte_formatie": 12.0,
                "fte_bezet": round(rng.uniform(9, 12), 1), "verzuim_pct": round(rng.uniform(3, 9), 1),
            })
    return out


def make_raw_db(path: Path, *, leeg: tuple[str, ...] = (), seed: int = 11) -> Path:
    """A build DB with the raw schema as landing leaves it; sources in `leeg` have no files."""
    import pandas as pd

    config = load_config()
    rows = _rows(random.Random(seed))
    con = duckdb.connect(str(path))
    try:
        create_raw_tables(con)
        con.execute(
            """create or replace table raw.ref_wijken as
            select wijkcode, wijknaam, inwoners::INTEGER AS inwoners, inwoners_0_17::INTEGER AS inwoners_0_17,
                   inwoners_0_22::INTEGER AS inwoners_0_22, bron
            from read_csv(?, header = true, all_varchar = true)""",
            [str(config.wijken_csv)],
        )
        con.execute(
            """create or replace table raw.ref_benchmarks as
            select * replace (replace(waarde, ',', '.')::DOUBLE AS waarde)
            from read_csv(?, header = true, all_varchar = true, delim = ';')""",
            [str(config.benchmarks_csv)],
        )
        bronnen = []
        for bron, records in rows.items():
            if bron in leeg or not records:
                bronnen.append((bron, 0, None, 0, None))
                continue
            df = pd.DataFrame(records)
            df["_bestand"] = f"{bron}_20250101.csv"
            df["_regel"] = range(2, len(df) + 2)
            df["_exportdatum"] = date(2025, 1, 1)
            for col in df.columns:
                if col.startswith("datum_") or col in ("geboortemaand", "maand"):
                    df[col] = pd.to_datetime(df[col]).dt.date
            con.register("df", df)
            con.execute(f"insert into raw.{bron} by name select * from df")
            con.unregister("df")
            # A first export of mid-2023, wholly superseded by the one of 2025 (latest wins).
            bronnen.append((bron, 2, date(2025, 1, 1), len(df), EERSTE_EXPORT))
        con.execute(
            "create or replace table raw.bronnen (bron VARCHAR, bestanden BIGINT, "
            "laatste_exportdatum DATE, rijen BIGINT, eerste_exportdatum DATE)"
        )
        con.executemany("insert into raw.bronnen values (?, ?, ?, ?, ?)", bronnen)
    finally:
        con.close()
    return path


def dbt_vars() -> dict:
    config = load_config()
    return {**config.dbt_vars(), "gemeente_naam": config.gemeente_naam}


def run_dbt(args: list[str], db: Path, state: Path):
    from dbt.cli.main import dbtRunner

    os.environ["SDM_BUILD_DB"] = str(db)
    os.environ[MEMORY_LIMIT_ENV] = memory_limit()  # as sdmonitor.transform.run_dbt does
    return dbtRunner().invoke([
        *args,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(state / "target"),
        "--log-path", str(state / "logs"),
        "--vars", json.dumps(dbt_vars()),
        "--quiet",
    ])


@pytest.fixture(scope="module")
def built_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("dbt")
    db = make_raw_db(tmp / "build.duckdb")
    result = run_dbt(["build"], db, tmp)
    failed = [
        f"{r.node.name}: {r.status} {r.message or ''}"
        for r in (getattr(result.result, "results", None) or [])
        if str(r.status).lower().endswith(("error", "fail"))
    ]
    assert result.success, f"dbt build failed: {result.exception} {failed}"
    docs = run_dbt(["docs", "generate"], db, tmp)
    assert docs.success, f"dbt docs generate failed: {docs.exception}"
    return db


def _query(db: Path, sql: str):
    # dbt-duckdb keeps its in-process connection open: open it with the same (default) configuration
    con = duckdb.connect(str(db))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_indicator_has_every_period_and_area(built_db):
    missing = _query(built_db, """
        with per as (select periode from main.dim_periode),
        keys as (select distinct indicator, periode, uitsplitsing from main.fct_indicator
                 where gebied_code = 'GM0150'),
        scope as (select indicator, gebieden from main.dim_indicator),
        areas as (select gebied_code, soort from main.dim_gebied),
        expected as (
            select k.indicator, k.periode, k.uitsplitsing, a.gebied_code
            from keys k join scope s using (indicator) join areas a
              on a.soort = 'gemeente'
              or (s.gebieden = 'alle' and a.soort in ('wijk', 'onbekend'))
              or (s.gebieden = 'wijken' and a.soort = 'wijk'))
        select e.* from expected e
        left join main.fct_indicator f using (indicator, periode, uitsplitsing, gebied_code)
        where f.indicator is null
        union all
        -- indicators without a breakdown or with a fixed one: every period at gemeente level
        select i.indicator, p.periode, null, 'GM0150' from main.dim_indicator i cross join per p
        where i.indicator in (select distinct indicator from main.fct_indicator)
          and i.uitsplitsing_vast
          -- verschuiving_pp_vorig has no row for the first period
          and not (i.indicator = 'verschuiving_pp_vorig' and p.periode = (select min(periode) from per))
          and not exists (select 1 from main.fct_indicator f where f.indicator = i.indicator
                          and f.periode = p.periode and f.gebied_code = 'GM0150')
    """)
    assert missing == []


def test_no_unsuppressed_small_counts_or_small_denominators(built_db):
    bad = _query(built_db, """
        select f.indicator, f.periode, f.gebied_code, f.uitsplitsing, f.waarde, f.teller, f.noemer
        from main.fct_indicator f join main.dim_indicator i using (indicator)
        where not f.onderdrukt and (
            (i.privacyregel = 'telling' and f.waarde between 1 and 4)
         or (i.privacyregel = 'teller' and f.teller between 1 and 4)
         or (i.privacyregel = 'noemer' and coalesce(f.noemer, 0) < 10))
    """)
    assert bad == []


def test_suppressed_cells_show_nothing(built_db):
    bad = _query(built_db, """
        select * from main.fct_indicator
        where onderdrukt and (waarde is not null or teller is not null or noemer is not null
                              or ci_laag is not null or reden_onderdrukt is null)
    """)
    assert bad == []
    assert _query(built_db, "select count(*) from main.fct_indicator where onderdrukt")[0][0] > 0


def test_secondary_suppression_never_leaves_one_area_alone(built_db):
    lonely = _query(built_db, """
        select f.indicator, f.periode, f.uitsplitsing, count(*) filter (where f.onderdrukt) as n
        from main.fct_indicator f join main.dim_indicator i using (indicator)
        where f.gebied_code <> 'GM0150' and i.privacyregel in ('telling', 'teller', 'noemer')
        group by all having n = 1
    """)
    assert lonely == []


def test_uitsplitsing_keys_sorted(built_db):
    rows = _query(built_db, "select distinct uitsplitsing from main.fct_indicator where uitsplitsing <> ''")
    for (u,) in rows:
        keys = [part.split("=")[0] for part in u.split(";")]
        assert keys == sorted(keys), u


def test_source_without_files_makes_its_indicators_absent(tmp_path):
    db = make_raw_db(tmp_path / "build.duckdb", leeg=("enquete", "bwmo"))
    result = run_dbt(["build", "--exclude", "test_type:unit"], db, tmp_path)
    assert result.success, result.exception
    rows = _query(db, """select count(*) filter (where indicator = 'pct_wist_waar'),
                                count(*) filter (where uitsplitsing like '%team=bwmo%'
                                                 and indicator not in ('bezettingsgraad', 'verzuim_pct')),
                                count(*) filter (where indicator = 'wachtend')
                         from main.fct_indicator""")
    assert rows[0][0] == 0 and rows[0][1] == 0 and rows[0][2] > 0


def test_periods_before_the_first_export_are_marked_incomplete(built_db):
    # First export 1 July 2023 (half-year 2023-H2); jeugd help started as early as 2021 makes
    # the periods start there. Those periods stay in fct_indicator (spec) but are marked.
    rows = _query(built_db, "select periode, begindatum, volledige_historie from main.dim_periode order by periode")
    assert [v for _, _, v in rows] == [b >= date(2023, 7, 1) for _, b, _ in rows]
    assert rows[0][2] is False and rows[-1][2] is True
    eerste = rows[0][0]
    assert _query(built_db, f"select count(*) from main.fct_indicator where periode = '{eerste}'")[0][0] > 0


def test_legal_terms_one_row_per_stage(built_db):
    config = load_config()
    rows = _query(built_db, "select team, stap, termijn_dagen, spoed_werkdagen, wet from main.dim_termijn "
                            "order by volgorde")
    t = config.termijnen
    assert rows == [
        ("wmo", "melding_gesprek", t["wmo_melding_gesprek"], None, "Wmo 2015"),
        ("wmo", "aanvraag_besluit", t["wmo_aanvraag_besluit"], None, "Wmo 2015"),
        ("jeugd", "melding_besluit", t["jeugd_melding_besluit"], None, "Jeugdwet"),
        ("inkomen", "aanvraag_besluit", t["inkomen_aanvraag_besluit"], None, "Participatiewet"),
        ("schuldhulp", "aanmelding_eerste_gesprek", t["schuldhulp_aanmelding_eerste_gesprek"],
         t["schuldhulp_spoed_werkdagen"], "Wgs"),
        ("bwmo", "indicatie_plaatsing", None, None, "Wmo 2015"),
    ]
    # The stages of fct_indicator are exactly these.
    stappen = _query(built_db, """select distinct uitsplitsing from main.fct_indicator
                                  where indicator = 'wachtend' order by 1""")
    assert sorted(f"stap={s};team={team}" for team, s, *_ in rows) == [u for (u,) in stappen]


def test_benchmark_half_year_preferred_over_later_yearly(built_db):
    # The reference file: maatwerk_per_1000 NL 2024-H1 (65, half-year) and NL 2024 (72, yearly).
    rows = _query(built_db, """select benchmark_periode, waarde, is_jaarcijfer, label
                               from main.fct_benchmark_vergelijking
                               where indicator = 'maatwerk_per_1000' and periode = '2024-H2'""")
    assert rows == [("2024-H1", 65.0, False, "Nederland, 1e halfjaar 2024, voorlopig")]


def test_a_production_build_keeps_key_tests_and_leaves_contract_repeats_to_ci(tmp_path):
    from sdmonitor.transform import PRODUCTION_EXCLUDE

    db = make_raw_db(tmp_path / "build.duckdb")

    def selected(*args: str) -> set[str]:
        result = run_dbt(["ls", "--output", "name", *args], db, tmp_path)
        assert result.success, result.exception
        return set(result.result)

    every = selected("--resource-type", "test", "--resource-type", "unit_test")
    production = selected("--resource-type", "test", "--resource-type", "unit_test",
                          "--exclude", *PRODUCTION_EXCLUDE)
    units = selected("--resource-type", "unit_test")
    repeats = {t for t in every if t.startswith(("not_null_stg_", "accepted_values_stg_",
                                                 "source_not_null_", "source_accepted_values_"))}
    assert units and repeats and any(t.startswith("unique_stg_") for t in production)
    assert every - production == units | repeats


def test_out_of_memory_names_the_setting_that_gives_more(tmp_path, monkeypatch):
    from sdmonitor import transform

    db = make_raw_db(tmp_path / "build.duckdb")
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1MB")
    with pytest.raises(CheckFailed) as failed:
        transform.run_dbt("build", db, tmp_path / "dbt", load_config(), lambda _: None,
                          extra_args=("--select", "+int_huishoudens_teams_per_periode",
                                      "--exclude", "test_type:unit"))
    assert "Out of Memory" in str(failed.value)
    assert "DuckDB had niet genoeg aan 1MB geheugen" in str(failed.value)
    assert f"{MEMORY_LIMIT_ENV}=8GB sdmonitor build" in str(failed.value)
