"""The published warehouse holds aggregates only (issue 8).

What `sdmonitor dashboard` reads may hold the marts, load_log, quarantine (file, line, column,
reason) and validation results, never row-level data: no pseudonym, case number or respondent
id, no date per person, and nothing of a quarantined row's content. The row-level data stays in
the build database next to it (`.<name>.build/build.duckdb`), which these tests read to know
which values must not appear.

Two warehouses are checked: the demo build of the session (conftest), and a small build of
exports with planted rows whose pseudonyms, case number and personal dates end up in quarantine
(a column shift puts a pseudonym in a date column: the build database's reason quotes it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from sdmonitor.build import build, build_dir_for
from sdmonitor.contract import CONTRACT, DATE, TEXT
from sdmonitor.publish import PUBLISHED_MARTS

SCALE = 0.05
SEED = 31

# Planted values: unlike anything the generator writes (its pseudonyms are 16 hex digits).
CLIENT = "planted0client01"
HUISHOUDEN = "planted0hh000002"
MELDING = "MLD-PLANT-000001"
SHIFTED = "planted0shift003"  # a pseudonym that landed in the datum_melding column
IN_CODE = "planted0code0004"  # one in the kanaal column
MALFORMED = "planted0malf0005"  # in a line with too few fields
PERSONAL_DATE = "29-02-2023"  # not a date: a date of birth typed wrongly is still personal
FREE_TEXT = "Mw. Plantinga, Dorpsstraat 17"  # opmerking: free text, never landed
PLANTED = (CLIENT, HUISHOUDEN, MELDING, SHIFTED, IN_CODE, MALFORMED, PERSONAL_DATE, FREE_TEXT,
           "planted0")

ALLOWED_TABLES = {*PUBLISHED_MARTS, "load_log", "quarantine", "validatie", "build_info"}
# Dates that are not about a person: period bounds, export dates, the build's own time.
ALLOWED_DATE_COLUMNS = {("dim_periode", "begindatum"), ("dim_periode", "einddatum"),
                        ("load_log", "exportdatum"), ("build_info", "gebouwd_op")}


def _identifier_columns() -> set[str]:
    """The contract's identifying columns: pseudonyms, respondent ids, case numbers."""
    return {
        c.name for s in CONTRACT.values() for c in s.columns
        if c.kind == TEXT and (c.name.endswith(("_pseudo", "_id", "nummer")))
    }


def _person_date_columns() -> set[str]:
    return {c.name for s in CONTRACT.values() for c in s.columns if c.kind == DATE}


def _plant(exports: Path) -> Path:
    """Add planted rows to the latest wmo export; return that file."""
    wmo = max((exports / "wmo").glob("wmo_*.csv"))
    text = wmo.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    header = list(rows[0].keys())
    template = dict(rows[0])

    def row(**changes) -> dict:
        r = dict(template, meldingnummer=MELDING, client_pseudo=CLIENT, huishouden_pseudo=HUISHOUDEN)
        r.update(changes)
        return r

    planted = [
        row(datum_melding=SHIFTED, meldingnummer=MELDING),
        row(kanaal=IN_CODE, meldingnummer=MELDING + "b"),
        row(datum_gesprek=PERSONAL_DATE, meldingnummer=MELDING + "c"),
        row(opmerking=FREE_TEXT, datum_melding="31-13-2024", meldingnummer=MELDING + "d"),
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, delimiter=";", lineterminator="\r\n")
    for r in planted:
        writer.writerow(r)
    out.write(f"{MALFORMED};{CLIENT};kort\r\n")
    with open(wmo, "a", encoding="utf-8", newline="") as fh:
        if not text.endswith("\n"):
            fh.write("\r\n")
        fh.write(out.getvalue())
    return wmo


@pytest.fixture(scope="module")
def planted_warehouse(tmp_path_factory) -> Path:
    from sdmonitor.generate import generate

    root = tmp_path_factory.mktemp("planted")
    generate(root / "exports", scale=SCALE, seed=SEED)
    _plant(root / "exports")
    warehouse = root / "wh" / "monitor.duckdb"
    build(root / "exports", warehouse, progress=lambda _: None)
    return warehouse


@pytest.fixture(scope="module", params=["demo", "planted"])
def published(request) -> Path:
    return request.getfixturevalue("demo_warehouse" if request.param == "demo" else "planted_warehouse")


def _columns(warehouse: Path) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() order by table_name, ordinal_position"
        ).fetchall()


def _build_db(warehouse: Path) -> Path:
    db = build_dir_for(warehouse) / "build.duckdb"
    assert db.exists(), f"no build database next to {warehouse}"
    return db


def test_only_the_listed_aggregate_tables_are_published(published):
    tables = {t for t, _, _ in _columns(published)}
    assert tables <= ALLOWED_TABLES, f"not an aggregate: {sorted(tables - ALLOWED_TABLES)}"
    assert {"fct_indicator", "quarantine", "load_log", "validatie", "build_info"} <= tables
    with duckdb.connect(str(published), read_only=True) as con:
        schemas = {r[0] for r in con.execute(
            "select distinct table_schema from information_schema.tables").fetchall()}
    assert schemas == {"main"}, schemas  # no raw schema, no staging


def test_no_row_level_column(published):
    identifiers, person_dates = _identifier_columns(), _person_date_columns()
    bad = [
        (t, c) for t, c, _ in _columns(published)
        if c in identifiers or c in person_dates or c.endswith("_pseudo") or c == "respondent_id"
    ]
    assert not bad, f"row-level columns in the published warehouse: {bad}"
    dates = [(t, c) for t, c, ty in _columns(published) if ty in ("DATE", "TIMESTAMP")
             and (t, c) not in ALLOWED_DATE_COLUMNS]
    assert not dates, f"date columns that may be dates per person: {dates}"


def test_no_identifier_value_from_the_raw_tables(published):
    """Every pseudonym, respondent id and case number of the build: none in any published cell."""
    published_text = [(t, c) for t, c, ty in _columns(published) if ty == "VARCHAR"]
    with duckdb.connect(str(published), read_only=True) as con:
        con.execute(f"attach '{_build_db(published)}' as build (read_only)")
        sources = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_catalog = 'build' and table_schema = 'raw' and data_type = 'VARCHAR'"
        ).fetchall()
        ids = [(t, c) for t, c in sources if c in _identifier_columns()]
        assert len(ids) >= 15, ids  # the test must look at the real identifiers
        con.execute("create temp table ids (v varchar)")
        for t, c in ids:
            con.execute(f'insert into ids select distinct "{c}" from build.raw."{t}" where "{c}" is not null')
        n_ids = con.execute("select count(*) from ids").fetchone()[0]
        assert n_ids > 1000, n_ids
        hits = []
        for t, c in published_text:
            # Whole values, and every token of a longer text ("x 'abc' is geen ...").
            found = con.execute(
                f"""
                with tokens as (
                    select "{c}" as v from main."{t}"
                    union all
                    select unnest(regexp_split_to_array("{c}", '[^0-9A-Za-z_-]+')) from main."{t}"
                )
                select distinct tokens.v from tokens join ids using (v) limit 5
                """
            ).fetchall()
            hits += [(t, c, v) for (v,) in found]
    assert not hits, f"identifiers from the raw tables in the published warehouse: {hits}"


def test_planted_rows_reached_quarantine_with_their_content_in_the_build_db(planted_warehouse):
    """The premise of the next test: the build database's reasons do quote row content."""
    with duckdb.connect(str(_build_db(planted_warehouse)), read_only=True) as con:
        reasons = [r[0] for r in con.execute("select reden from main.quarantine").fetchall()]
        loaded = con.execute("select count(*) from raw.wmo where client_pseudo = ?", [CLIENT]).fetchone()[0]
    assert any(SHIFTED in r for r in reasons), reasons
    assert any(IN_CODE in r for r in reasons), reasons
    assert any(PERSONAL_DATE in r for r in reasons), reasons
    assert loaded == 0  # every planted row is broken: none landed


def test_no_quarantined_row_content_in_the_published_file(planted_warehouse):
    with duckdb.connect(str(planted_warehouse), read_only=True) as con:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()]
        cells = []
        for t in tables:
            df = con.execute(f'select * from main."{t}"').df()
            cells += [str(v) for col in df.columns for v in df[col].tolist()]
    found = sorted({p for p in PLANTED for cell in cells if p.lower() in cell.lower()})
    assert not found, f"quarantined row content published: {found}"
    raw = planted_warehouse.read_bytes()
    in_bytes = [p for p in PLANTED if p.encode() in raw]
    assert not in_bytes, f"planted values in the file's bytes: {in_bytes}"
    report = planted_warehouse.with_suffix(".validatie.html").read_text(encoding="utf-8")
    assert not [p for p in PLANTED if p in report]


def test_quarantine_keeps_file_line_column_and_reason(planted_warehouse):
    """The spec's columns stay, with reasons a data steward can count, minus the values."""
    with duckdb.connect(str(planted_warehouse), read_only=True) as con:
        rows = con.execute(
            "select bron, bestand, regel, kolom, reden from quarantine where bron = 'wmo' order by regel, kolom"
        ).fetchall()
        logged = con.execute(
            "select sum(rijen_quarantaine) from load_log where bron = 'wmo' and "
            "build_id = (select build_id from build_info)"
        ).fetchone()[0]
    reasons = {(kolom, reden) for _, _, _, kolom, reden in rows}
    assert ("datum_melding", "datum_melding is geen geldige datum") in reasons
    assert ("kanaal", "kanaal is geen geldige code") in reasons
    assert ("datum_gesprek", "datum_gesprek is geen geldige datum") in reasons
    assert any(kolom is None and reden.startswith("regel heeft 3 velden") for kolom, reden in reasons)
    assert all("'" not in reden for *_, reden in rows), rows
    assert len({regel for _, _, regel, _, _ in rows}) == logged == 5
    latest = max((planted_warehouse.parent.parent / "exports" / "wmo").glob("wmo_*.csv"))
    assert {bestand for _, bestand, *_ in rows} == {latest.name}


def test_dashboard_counts_quarantine_per_reason(planted_warehouse):
    from sdmonitor.warehouse import quarantaine_redenen

    q = quarantaine_redenen(planted_warehouse)
    rij = q[(q["kolom"] == "datum_melding") & (q["reden"] == "datum_melding is geen geldige datum")]
    assert int(rij["aantal"].iloc[0]) == 2  # the shifted pseudonym and the 13th month
