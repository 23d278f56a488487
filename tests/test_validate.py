"""Great Expectations suites: they pass on good data and catch each planted fault, exactly.

Faults are planted directly in the landed tables (landing itself would quarantine them): the
suites are the second line of defence. GX is imported once for the whole session.
"""

from __future__ import annotations

import duckdb
import pytest
from test_land import land, valid_row, write_export

from sdmonitor.config import load_config
from sdmonitor.contract import CONTRACT
from sdmonitor.validate import validate_marts, validate_sources, write_validation_html

BUILD = "test"
SOURCE_FAULTS = {
    # (suite, omschrijving, kolom): SQL that plants exactly that fault
    ("wmo", "sleutel uniek na 'laatste export wint'", "meldingnummer"): (
        "insert into raw.wmo select * from raw.wmo"
    ),
    ("wmo", "waarden uit de codelijst", "kanaal"): "update raw.wmo set kanaal = 'fax'",
    ("jeugd", "CBS-wijkcode uit de referentielijst of 'onbekend'", "wijk_code"): (
        "update raw.jeugd set wijk_code = 'WK999999'"
    ),
    ("bwmo", "niet voor 2015-01-01", "datum_plaatsing"): (
        "update raw.bwmo set datum_plaatsing = DATE '2014-12-31', datum_indicatie = DATE '2014-12-30', "
        "datum_aanmelding = DATE '2014-12-01'"
    ),
    ("bwmo", "niet voor 2015-01-01", "datum_indicatie"): None,
    ("bwmo", "niet voor 2015-01-01", "datum_aanmelding"): None,
    ("inkomen", "niet na de exportdatum", "_exportdatum, datum_besluit"): (
        "update raw.inkomen set datum_besluit = _exportdatum + 1"
    ),
    ("enquete", "sleutel uniek na 'laatste export wint'", "respondent_id, vraag"): (
        "insert into raw.enquete select * from raw.enquete"
    ),
    (
        "enquete",
        "niet negatief",
        "weging",
    ): "update raw.enquete set weging = -1 where respondent_id = 'ENQUETE-1'",
    (
        "enquete",
        "periode jjjj-H1 of jjjj-H2",
        "meetperiode",
    ): "update raw.enquete set meetperiode = '2025-3'",
    ("regie", "verplicht", "datum_opschaling"): "update raw.regie set datum_opschaling = NULL",
    (
        "capaciteit",
        "kolom aanwezig",
        "verzuim_pct",
    ): "alter table raw.capaciteit drop column verzuim_pct",
    # A missing column also fails every check on it: it cannot be checked.
    ("capaciteit", "niet negatief", "verzuim_pct"): None,
}


def _land_good_exports(tmp_path) -> duckdb.DuckDBPyConnection:
    exports = tmp_path / "exports"
    for bron in CONTRACT:
        write_export(exports, bron, [valid_row(bron, i) for i in range(3)])
    con, _ = land(exports, tmp_path / "build.duckdb")
    return con


def _failed(con, ernst: str = "fout") -> set[tuple[str, str, str]]:
    rows = con.execute(
        "select suite, expectation, kolom from validatie where not geslaagd and ernst = ?", [ernst]
    ).fetchall()
    return set(rows)


@pytest.fixture(scope="module")
def faulty_sources(tmp_path_factory):
    con = _land_good_exports(tmp_path_factory.mktemp("faults"))
    for sql in filter(None, SOURCE_FAULTS.values()):
        con.execute(sql)
    report = validate_sources(con, BUILD, progress=lambda _: None)
    return con, report


def test_source_suites_pass_on_good_data(tmp_path):
    con = _land_good_exports(tmp_path)
    lines: list[str] = []
    report = validate_sources(con, BUILD, progress=lines.append)
    assert not report.should_fail and report.errors == []
    assert {s.suite for s in report.suites} == set(CONTRACT)
    assert all(s.evaluated > 5 for s in report.suites)
    assert con.execute("select count(*) from validatie where not geslaagd").fetchone() == (0,)
    assert "validatie wmo: 46 controles, 0 fouten, 0 waarschuwingen" in lines


def test_source_suites_catch_exactly_the_planted_faults(faulty_sources):
    con, report = faulty_sources
    assert report.should_fail
    assert _failed(con) == set(SOURCE_FAULTS)
    assert len(report.errors) == len(SOURCE_FAULTS)


def test_failed_lines_are_readable_dutch_without_row_content(faulty_sources):
    con, report = faulty_sources
    assert (
        "wmo: kanaal waarden uit de codelijst: 6 van 6 rijen wijken af "
        "[GX: expect_column_values_to_be_in_set] (fout)"
    ) in report.errors
    details = " ".join(row[0] for row in con.execute("select details from validatie").fetchall())
    assert "fax" not in details and "WMO-" not in details and "client_pseudo-x" not in details


def test_date_order_is_a_warning_with_the_count(tmp_path):
    con = _land_good_exports(tmp_path)
    con.execute(
        "update raw.wmo set datum_gesprek = datum_melding - 1 where meldingnummer = 'WMO-1'"
    )
    report = validate_sources(con, BUILD, progress=lambda _: None)
    assert not report.should_fail
    assert _failed(con, "waarschuwing") == {
        ("wmo", "datum_gesprek niet voor datum_melding", "datum_gesprek, datum_melding")
    }
    details = con.execute("select details from validatie where not geslaagd").fetchone()[0]
    assert details.startswith("1 van 3 rijen wijken af")


def test_validating_again_replaces_this_builds_rows(faulty_sources):
    con, _ = faulty_sources
    before = con.execute("select count(*) from validatie").fetchone()
    validate_sources(con, BUILD, progress=lambda _: None)
    assert con.execute("select count(*) from validatie").fetchone() == before


# ---------------------------------------------------------------------------------------------
# Marts

MARTS_FAULTS = {
    # omschrijving, kolom: SQL that plants exactly that fault
    (
        "percentages tussen 0 en 100",
        "waarde",
    ): "update fct_indicator set waarde = 120 where indicator = 'pct_kanaal' and gebied_code = 'GM0150'",
    (
        "doorlooptijden niet negatief",
        "waarde",
    ): "update fct_indicator set waarde = -3 where indicator = 'doorlooptijd_mediaan' and gebied_code = 'GM0150'",
    (
        "onderdrukte cel heeft geen waarde, teller of noemer",
        "teller",
    ): "update fct_indicator set teller = 2 where onderdrukt",
    (
        "niet-onderdrukte verhouding heeft noemer van minstens 10",
        "noemer",
    ): "update fct_indicator set noemer = 4 where indicator = 'pct_kanaal' and gebied_code = 'WK015001'",
    (
        "niet-onderdrukte telling is 0 of minstens 5",
        "waarde",
    ): "update fct_indicator set waarde = 3 where indicator = 'wachtend' and gebied_code = 'WK015003'",
    (
        "elke periode van dim_periode aanwezig",
        "periode",
    ): "insert into dim_periode values ('2026-H1')",
    (
        "elke wijk van de referentielijst aanwezig",
        "gebied_code",
    ): "delete from fct_indicator where gebied_code = 'WK015014'",
}


def _good_marts(tmp_path) -> duckdb.DuckDBPyConnection:
    """Landed reference data plus a small, correct fct_indicator in the dbt engineer's schema."""
    exports = tmp_path / "exports"
    exports.mkdir()
    con, _ = land(exports, tmp_path / "build.duckdb")
    con.execute(
        "create table dim_periode as select * from (values ('2025-H1'), ('2025-H2')) t(periode)"
    )
    con.execute(
        """create table fct_indicator as
        select i.indicator, p.periode, g.gebied_code, '' AS uitsplitsing, i.waarde::DOUBLE AS waarde,
               i.teller::DOUBLE AS teller, i.noemer::DOUBLE AS noemer,
               NULL::DOUBLE AS ci_laag, NULL::DOUBLE AS ci_hoog, i.onderdrukt, i.reden AS reden_onderdrukt
        from dim_periode p
        cross join (select wijkcode AS gebied_code from raw.ref_wijken union all select 'GM0150') g
        cross join (values ('pct_kanaal', 50.0, 10, 20, false, NULL),
                           ('wachtend', 12.0, NULL, NULL, false, NULL),
                           ('wachtend_langer_dan_termijn', 0.0, NULL, NULL, false, NULL),
                           ('doorlooptijd_mediaan', 30.0, NULL, 15, false, NULL),
                           ('pct_binnen_termijn', NULL, NULL, NULL, true, 'noemer kleiner dan 10'))
            i(indicator, waarde, teller, noemer, onderdrukt, reden)"""
    )
    return con


def test_marts_suite_passes_on_good_marts(tmp_path):
    con = _good_marts(tmp_path)
    report = validate_marts(con, BUILD, load_config(), progress=lambda _: None)
    assert not report.should_fail
    assert report.suites[0].evaluated == 9
    assert con.execute(
        "select count(*) from validatie where suite = 'marts' and geslaagd"
    ).fetchone() == (9,)


def test_marts_suite_catches_exactly_each_broken_rule(tmp_path):
    con = _good_marts(tmp_path)
    for sql in MARTS_FAULTS.values():
        con.execute(sql)
    report = validate_marts(con, BUILD, load_config(), progress=lambda _: None)
    assert report.should_fail
    assert _failed(con) == {("marts", omschrijving, kolom) for omschrijving, kolom in MARTS_FAULTS}
    missing = con.execute(
        "select details from validatie where kolom in ('periode', 'gebied_code') and not geslaagd order by kolom"
    ).fetchall()
    assert [d.split(" [")[0] for (d,) in missing] == ["ontbreken: WK015014", "ontbreken: 2026-H1"]


@pytest.mark.parametrize("column", ["waarde", "noemer"])
def test_marts_suppressed_cell_with_a_value_fails(tmp_path, column):
    con = _good_marts(tmp_path)
    con.execute(f"update fct_indicator set {column} = 7 where onderdrukt")
    report = validate_marts(con, BUILD, load_config(), progress=lambda _: None)
    assert _failed(con) == {
        ("marts", "onderdrukte cel heeft geen waarde, teller of noemer", column)
    }
    assert report.should_fail


def test_marts_missing_table_fails_the_build(tmp_path):
    con = _good_marts(tmp_path)
    con.execute("drop table fct_indicator")
    report = validate_marts(con, BUILD, load_config(), progress=lambda _: None)
    assert report.should_fail
    assert report.errors == [
        "marts: fct_indicator tabel aanwezig: tabel fct_indicator ontbreekt (fout)"
    ]


def test_marts_rows_are_added_beside_the_source_rows(faulty_sources, tmp_path):
    con, _ = faulty_sources
    sources = con.execute("select count(*) from validatie").fetchone()[0]
    con.execute("create table dim_periode (periode VARCHAR)")
    con.execute(
        "create table fct_indicator as select * from (values ('pct_kanaal', '2025-H1', 'GM0150', 50.0, 1.0, 20.0, false)) t(indicator, periode, gebied_code, waarde, teller, noemer, onderdrukt)"
    )
    validate_marts(con, BUILD, load_config(), progress=lambda _: None)
    assert (
        con.execute("select count(*) from validatie where suite <> 'marts'").fetchone()[0]
        == sources
    )
    assert con.execute("select count(*) from validatie where suite = 'marts'").fetchone()[0] == 9


def test_html_report_is_self_contained_dutch(faulty_sources, tmp_path):
    con, _ = faulty_sources
    out = tmp_path / "docs" / "validatie.html"
    write_validation_html(con, out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<html lang='nl'>" in text
    assert "Datakwaliteit" in text and "mislukt" in text and "<h2>capaciteit</h2>" in text
    assert "http" not in text  # no external assets


# ---------------------------------------------------------------------------------------------
# Chunks and the validation cache


def _validatie(con) -> list[tuple]:
    return con.execute(
        "select suite, expectation, kolom, geslaagd, ernst, details from validatie order by all"
    ).fetchall()


def _land_two_exports_per_source(tmp_path) -> duckdb.DuckDBPyConnection:
    """Two export files per source with their own keys, and one date-order warning in each."""
    exports = tmp_path / "exports"
    for bron in CONTRACT:
        write_export(exports, bron, [valid_row(bron, i) for i in range(3)], datum="20250601")
        write_export(exports, bron, [valid_row(bron, i) for i in range(3, 6)], datum="20250701")
    con, _ = land(exports, tmp_path / "build.duckdb")
    con.execute(
        "update raw.wmo set datum_gesprek = datum_melding - 1 where meldingnummer in ('WMO-1', 'WMO-4')"
    )
    return con


# 3 rows: every file its own chunk; 2 rows: a file of 3 rows in ranges of lines (2 + 1).
@pytest.mark.parametrize("chunk_rows", [3, 2])
def test_chunks_of_files_add_up_to_the_whole_table(tmp_path, monkeypatch, chunk_rows):
    con = _land_two_exports_per_source(tmp_path)
    assert con.execute("select count(distinct _bestand) from raw.wmo").fetchone() == (2,)
    validate_sources(con, BUILD, progress=lambda _: None)
    whole = _validatie(con)
    monkeypatch.setattr("sdmonitor.validate.CHUNK_ROWS", chunk_rows)
    validate_sources(con, BUILD, progress=lambda _: None)
    assert _validatie(con) == whole
    assert ("wmo", "datum_gesprek niet voor datum_melding", "datum_gesprek, datum_melding",
            False, "waarschuwing",
            "2 van 6 rijen wijken af [GX: expect_column_pair_values_a_to_be_greater_than_b]") in whole


def test_unchanged_rows_reuse_the_cached_result_and_a_change_is_validated_again(tmp_path):
    con = _land_two_exports_per_source(tmp_path)
    cache_file = tmp_path / "validatie-cache.json"
    validate_sources(con, BUILD, progress=lambda _: None, cache_file=cache_file)
    first = _validatie(con)
    assert cache_file.exists()

    lines: list[str] = []
    validate_sources(con, BUILD, progress=lines.append, cache_file=cache_file)
    assert _validatie(con) == first
    assert any("hergebruikt" in line for line in lines)

    # One changed value in one file: that chunk is validated again and the fault is found.
    con.execute("update raw.wmo set kanaal = 'fax' where meldingnummer = 'WMO-4'")
    report = validate_sources(con, BUILD, progress=lambda _: None, cache_file=cache_file)
    assert report.should_fail
    assert ("wmo", "waarden uit de codelijst", "kanaal") in _failed(con)


def test_a_broken_cache_file_is_ignored(tmp_path):
    con = _land_two_exports_per_source(tmp_path)
    cache_file = tmp_path / "validatie-cache.json"
    cache_file.write_text("{niet: json", encoding="utf-8")
    report = validate_sources(con, BUILD, progress=lambda _: None, cache_file=cache_file)
    assert not report.should_fail
    assert cache_file.read_text(encoding="utf-8").startswith("{\"sources\"")


def test_marts_results_are_reused_only_for_the_same_rows(tmp_path):
    con = _good_marts(tmp_path)
    cache_file = tmp_path / "validatie-cache.json"
    validate_marts(con, BUILD, load_config(), progress=lambda _: None, cache_file=cache_file)
    con.execute("update fct_indicator set waarde = 120 where indicator = 'pct_kanaal'")
    report = validate_marts(con, BUILD, load_config(), progress=lambda _: None, cache_file=cache_file)
    assert report.should_fail
    assert _failed(con) == {("marts", "percentages tussen 0 en 100", "waarde")}
