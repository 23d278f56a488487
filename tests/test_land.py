"""Landing: every property of the data contract, each with a test that fails when it breaks.

The exports are written here, with a minimal valid row per source built from the contract, so
these tests do not depend on the demo generator.
"""

from __future__ import annotations

import csv
import dataclasses
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from sdmonitor import land as land_module
from sdmonitor.config import load_config
from sdmonitor.contract import (
    BOOLEAN,
    CODE,
    CONTRACT,
    DATE,
    DECIMAL,
    FREE_TEXT,
    INTEGER,
    MONTH,
    PERIOD,
    WIJK_CODE,
    WIJK_NAME,
)
from sdmonitor.errors import CheckFailed, RefusedFile
from sdmonitor.land import check_row_conservation, land_exports
from sdmonitor.wijk import WijkNormaliser, wijk_key

EXPORT_DATE = "20250701"
VALID_DATE = date(2025, 3, 14)

# ---------------------------------------------------------------------------------------------
# A minimal valid export per source, shared by the other landing and validation tests


def valid_row(bron: str, i: int = 0, **overrides: str) -> dict[str, str]:
    """A row that follows the contract; record `i` has its own key."""
    source = CONTRACT[bron]
    row = {column.name: _valid_value(source, column) for column in source.columns}
    first_key = source.column(source.key[0])
    row[first_key.name] = first_key.codes[i] if first_key.codes else f"{bron.upper()}-{i}"
    row.update(overrides)
    return row


def _valid_value(source, column) -> str:
    by_kind = {
        DATE: VALID_DATE.strftime(source.date_format),
        MONTH: "2008-05",
        PERIOD: "2025-H1",
        INTEGER: "1950",
        DECIMAL: "0,8",
        BOOLEAN: "ja",
        WIJK_NAME: "Binnenstad",
        WIJK_CODE: "WK015001",
        FREE_TEXT: "belt terug",
    }
    if column.kind == CODE:
        return column.codes[0]
    return by_kind.get(column.kind, f"{column.name}-x")


def write_export(
    exports: Path,
    bron: str,
    rows: list[dict[str, str]],
    datum: str = EXPORT_DATE,
    columns: list[str] | None = None,
    encoding: str | None = None,
) -> Path:
    """Write <exports>/<bron>/<bron>_<datum>.csv as a team would: ';', the source's encoding."""
    columns = columns or list(CONTRACT[bron].column_names)
    path = exports / bron / f"{bron}_{datum}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding or CONTRACT[bron].encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([[row.get(name, "") for name in columns] for row in rows])
    return path


def land(exports: Path, db: Path, config=None):
    """Land `exports` into a fresh build DB file; returns the open connection and the result."""
    con = duckdb.connect(str(db))
    result = land_exports(exports, con, config or load_config(), "test", progress=lambda _: None)
    return con, result


@pytest.fixture
def exports(tmp_path) -> Path:
    return tmp_path / "exports"


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "build.duckdb"


def quarantine(con) -> list[tuple]:
    return con.execute(
        "select bestand, regel, kolom, reden from quarantine order by all"
    ).fetchall()


# ---------------------------------------------------------------------------------------------
# Encoding and layout


def test_utf8_with_and_without_bom(exports, db):
    with_bom = write_export(exports, "wmo", [valid_row("wmo")], encoding="utf-8-sig")
    without_bom = write_export(exports, "regie", [valid_row("regie")], encoding="utf-8")
    assert with_bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not without_bom.read_bytes().startswith(b"\xef\xbb\xbf")
    con, result = land(exports, db)
    assert con.execute("select meldingnummer from raw.wmo").fetchall() == [("WMO-0",)]
    assert con.execute("select casusnummer from raw.regie").fetchall() == [("REGIE-0",)]
    assert result.rows_quarantined == 0


def test_inkomen_windows_1252_decoded_right(exports, db, tmp_path):
    wijken = tmp_path / "wijken.csv"
    wijken.write_text(
        "wijkcode;wijknaam;inwoners;inwoners_0_17;inwoners_0_22;bron\n"
        "WK099901;Café-Noord;100;10;20;test\n",
        encoding="utf-8",
    )
    config = dataclasses.replace(load_config(), wijken_csv=wijken)
    row = valid_row("inkomen", aanvraagnummer="INK-é€1", wijk="CAFÉ-NOORD", opmerking="€ 25")
    path = write_export(exports, "inkomen", [row])
    assert "é€".encode("cp1252") in path.read_bytes()
    con, _ = land(exports, db, config)
    assert con.execute("select aanvraagnummer, wijk_code from raw.inkomen").fetchall() == [
        ("INK-é€1", "WK099901")
    ]
    assert not _tables_containing(con, "Ã")


def test_columns_in_any_order_and_unknown_columns_ignored(exports, db):
    columns = ["extra_kolom", *reversed(CONTRACT["regie"].column_names), "nog_een"]
    row = valid_row("regie", niveau="burgemeester", extra_kolom="x", nog_een="y")
    write_export(exports, "regie", [row], columns=columns)
    con, _ = land(exports, db)
    assert con.execute(
        "select casusnummer, niveau, datum_opschaling from raw.regie"
    ).fetchall() == [("REGIE-0", "burgemeester", VALID_DATE)]
    landed = {
        name
        for (name,) in con.execute(
            "select column_name from duckdb_columns() where table_name = 'regie'"
        ).fetchall()
    }
    assert not landed & {"extra_kolom", "nog_een"}


def test_header_only_file_is_valid_and_empty(exports, db):
    write_export(exports, "regie", [])
    con, result = land(exports, db)
    assert result.files == 1 and result.rows_read == 0
    assert con.execute(
        "select bestanden, rijen from raw.bronnen where bron = 'regie'"
    ).fetchone() == (1, 0)
    assert con.execute("select rijen_gelezen, rijen_geladen from load_log").fetchall() == [(0, 0)]


def test_source_without_files_is_reported_and_empty(exports, db):
    write_export(exports, "regie", [valid_row("regie")])
    con, result = land(exports, db)
    assert result.sources_without_files == [c for c in CONTRACT if c != "regie"]
    assert con.execute(
        "select bestanden, laatste_exportdatum from raw.bronnen where bron = 'wmo'"
    ).fetchone() == (0, None)
    assert con.execute("select count(*) from raw.wmo").fetchone() == (0,)


def test_quoted_fields_with_delimiter_and_newline_keep_line_numbers(exports, db):
    rows = [
        valid_row("wmo", 0, opmerking="belt; morgen\nterug"),
        valid_row("wmo", 1, kanaal="fax"),
    ]
    write_export(exports, "wmo", rows)
    con, _ = land(exports, db)
    # Record 1 starts on line 2 and spans two lines, so record 2 starts on line 4.
    assert quarantine(con) == [
        ("wmo_20250701.csv", 4, "kanaal", "kanaal 'fax' is geen geldige code")
    ]


# ---------------------------------------------------------------------------------------------
# Values


@pytest.mark.parametrize(
    ("bron", "column", "written"),
    [
        ("wmo", "datum_melding", "14-03-2025"),
        ("jeugd", "datum_melding", "2025-03-14"),
        ("regie", "datum_opschaling", "14-03-2025"),
    ],
)
def test_each_source_reads_its_own_date_format(exports, db, bron, column, written):
    write_export(exports, bron, [valid_row(bron, **{column: written})])
    con, _ = land(exports, db)
    assert con.execute(f"select {column} from raw.{bron}").fetchall() == [(date(2025, 3, 14),)]


def test_empty_date_is_null(exports, db):
    write_export(exports, "wmo", [valid_row("wmo", datum_besluit="")])
    con, _ = land(exports, db)
    assert con.execute("select datum_besluit from raw.wmo").fetchall() == [(None,)]


def test_months_and_periods(exports, db):
    write_export(exports, "capaciteit", [valid_row("capaciteit", maand="2025-02")])
    write_export(exports, "enquete", [valid_row("enquete", meetperiode="2024-H2")])
    con, _ = land(exports, db)
    assert con.execute("select maand from raw.capaciteit").fetchall() == [(date(2025, 2, 1),)]
    assert con.execute("select meetperiode from raw.enquete").fetchall() == [("2024-H2",)]


def test_comma_decimals(exports, db):
    write_export(exports, "inkomen", [valid_row("inkomen", bedrag_per_maand="1234,56")])
    write_export(
        exports,
        "capaciteit",
        [valid_row("capaciteit", fte_formatie="12,5", fte_bezet="3", verzuim_pct="0,25")],
    )
    con, _ = land(exports, db)
    assert con.execute("select bedrag_per_maand from raw.inkomen").fetchone() == (1234.56,)
    assert con.execute(
        "select fte_formatie, fte_bezet, verzuim_pct from raw.capaciteit"
    ).fetchone() == (12.5, 3.0, 0.25)


def test_integers(exports, db):
    write_export(exports, "wmo", [valid_row("wmo", geboortejaar="1947")])
    con, _ = land(exports, db)
    assert con.execute("select geboortejaar from raw.wmo").fetchone() == (1947,)


def test_booleans_ja_nee_in_any_case(exports, db):
    values = ["ja", "JA", "Ja", "nee", "NEE", "nEe", ""]
    write_export(
        exports, "schuldhulp", [valid_row("schuldhulp", i, spoed=v) for i, v in enumerate(values)]
    )
    con, result = land(exports, db)
    landed = con.execute("select spoed from raw.schuldhulp order by _regel").fetchall()
    assert [v for (v,) in landed] == [True, True, True, False, False, False, None]
    assert result.rows_quarantined == 0


@pytest.mark.parametrize(
    ("bron", "typed", "expected"),
    [
        ("wmo", "Colmschate-Noord", "WK015008"),
        ("wmo", "colmschate noord", "WK015008"),
        ("wmo", "COLMSCHATE NOORD", "WK015008"),
        ("schuldhulp", " Colmschate  -  Noord ", "WK015008"),
        ("voorliggend", "Rivierenwijk en Bergweide", "WK015007"),
        ("voorliggend", "rivierenwijk-en-bergweide", "WK015007"),
        ("voorliggend", "RIVIERENWIJK EN BERGWEIDE", "WK015007"),
        ("inkomen", "KEIZERSLANDEN", "WK015006"),
        ("wmo", "WK015003", "WK015003"),
        ("jeugd", "WK015001", "WK015001"),
        ("enquete", "wk015010", "WK015010"),
        ("wmo", "Atlantis", "onbekend"),
        ("jeugd", "WK999999", "onbekend"),
        ("wmo", "", "onbekend"),
        ("enquete", "", "onbekend"),
    ],
)
def test_wijk_normalised_to_cbs_code_never_quarantined(exports, db, bron, typed, expected):
    wijk_column = "wijkcode" if bron in ("jeugd", "enquete") else "wijk"
    write_export(exports, bron, [valid_row(bron, **{wijk_column: typed})])
    con, result = land(exports, db)
    assert con.execute(f"select wijk_code from raw.{bron}").fetchall() == [(expected,)]
    assert result.rows_quarantined == 0


def test_wijk_key_ignores_case_hyphens_spaces_accents():
    assert wijk_key("Colmschate-Noord") == wijk_key("COLMSCHATE NOORD") == "colmschatenoord"
    assert wijk_key("Rivierenwijk & Bergweide") == wijk_key("rivierenwijk en bergweide")
    assert WijkNormaliser([("WK1", "Café")]).code_for("CAFE") == "WK1"
    assert WijkNormaliser([("WK1", "Café")]).code_for(None) == "onbekend"


# ---------------------------------------------------------------------------------------------
# Latest export wins, idempotence, conservation


def test_latest_export_wins_per_record(exports, db):
    write_export(
        exports,
        "wmo",
        [valid_row("wmo", 0, kanaal="telefoon"), valid_row("wmo", 1)],
        datum="20250601",
    )
    write_export(exports, "wmo", [valid_row("wmo", 0, kanaal="mail")], datum="20250701")
    con, result = land(exports, db)
    assert con.execute(
        "select meldingnummer, kanaal, _bestand from raw.wmo order by 1"
    ).fetchall() == [
        ("WMO-0", "mail", "wmo_20250701.csv"),
        ("WMO-1", "telefoon", "wmo_20250601.csv"),
    ]
    log = con.execute(
        "select bestand, rijen_gelezen, rijen_geladen, rijen_vervangen from load_log order by 1"
    ).fetchall()
    assert log == [("wmo_20250601.csv", 2, 1, 1), ("wmo_20250701.csv", 1, 1, 0)]
    assert result.rows_superseded == 1


def test_later_line_wins_within_a_file(exports, db):
    write_export(
        exports, "wmo", [valid_row("wmo", 0, kanaal="telefoon"), valid_row("wmo", 0, kanaal="post")]
    )
    con, _ = land(exports, db)
    assert con.execute("select kanaal, _regel from raw.wmo").fetchall() == [("post", 3)]


STALE = "een nieuwere versie van dit record ({}, regel {}) staat in quarantaine; deze versie telt daarom niet mee"


def test_a_newer_version_in_quarantine_keeps_every_older_one_out(exports, db):
    write_export(
        exports,
        "wmo",
        [valid_row("wmo", 0, kanaal="post"), valid_row("wmo", 0, kanaal="telefoon"), valid_row("wmo", 1)],
        datum="20250601",
    )
    write_export(exports, "wmo", [valid_row("wmo", 0, kanaal="fax")], datum="20250701")
    con, result = land(exports, db)
    check_row_conservation(con)
    assert con.execute("select meldingnummer from raw.wmo").fetchall() == [("WMO-1",)]
    # The version that would have counted says why it does not; the one before it was
    # superseded by it, as ever.
    assert quarantine(con) == [
        ("wmo_20250601.csv", 3, None, STALE.format("wmo_20250701.csv", 2)),
        ("wmo_20250701.csv", 2, "kanaal", "kanaal 'fax' is geen geldige code"),
    ]
    assert con.execute(
        "select bestand, rijen_gelezen, rijen_geladen, rijen_quarantaine, rijen_vervangen "
        "from load_log order by 1"
    ).fetchall() == [("wmo_20250601.csv", 3, 1, 1, 1), ("wmo_20250701.csv", 1, 0, 1, 0)]
    assert (result.rows_loaded, result.rows_quarantined, result.rows_superseded) == (1, 2, 1)


def test_a_later_line_in_quarantine_keeps_an_earlier_line_out(exports, db):
    rows = [valid_row("capaciteit", maand="2025-02"), valid_row("capaciteit", maand="2025-02", fte_bezet="-1")]
    write_export(exports, "capaciteit", rows)
    con, _ = land(exports, db)
    check_row_conservation(con)
    assert con.execute("select count(*) from raw.capaciteit").fetchone() == (0,)
    assert quarantine(con) == [
        ("capaciteit_20250701.csv", 2, None, STALE.format("capaciteit_20250701.csv", 3)),
        ("capaciteit_20250701.csv", 3, "fte_bezet", "fte_bezet '-1' is negatief"),
    ]


def test_an_older_version_in_quarantine_is_simply_replaced(exports, db):
    write_export(exports, "wmo", [valid_row("wmo", 0, kanaal="fax")], datum="20250601")
    write_export(exports, "wmo", [valid_row("wmo", 0, kanaal="mail")], datum="20250701")
    con, _ = land(exports, db)
    check_row_conservation(con)
    assert con.execute("select kanaal from raw.wmo").fetchall() == [("mail",)]
    assert [reden for *_, reden in quarantine(con)] == ["kanaal 'fax' is geen geldige code"]


def test_a_quarantined_record_without_its_key_keeps_nothing_out(exports, db):
    """Without a key (missing, or a line that is not a row) nothing says which record it is."""
    write_export(exports, "wmo", [valid_row("wmo", 0)], datum="20250601")
    path = write_export(exports, "wmo", [valid_row("wmo", 0, meldingnummer="")], datum="20250701")
    path.write_text(path.read_text(encoding="utf-8-sig") + "WMO-0;te;weinig\n", encoding="utf-8")
    con, _ = land(exports, db)
    check_row_conservation(con)
    assert con.execute("select meldingnummer, _bestand from raw.wmo").fetchall() == [
        ("WMO-0", "wmo_20250601.csv")
    ]
    assert [(regel, reden) for _, regel, _, reden in quarantine(con)] == [
        (2, "meldingnummer ontbreekt"),
        (3, f"regel heeft 3 velden, verwacht {len(CONTRACT['wmo'].columns)}"),
    ]


def test_compound_keys(exports, db):
    enquete = [valid_row("enquete", vraag=v) for v in ("wist_waar", "snel_geholpen")]
    capaciteit = [valid_row("capaciteit", maand=m) for m in ("2025-01", "2025-02", "2025-02")]
    write_export(exports, "enquete", enquete)
    write_export(exports, "capaciteit", capaciteit)
    con, _ = land(exports, db)
    assert con.execute("select count(*) from raw.enquete").fetchone() == (2,)
    assert con.execute("select count(*) from raw.capaciteit").fetchone() == (2,)


def test_landing_the_same_files_again_changes_nothing(exports, db, tmp_path):
    write_export(
        exports, "wmo", [valid_row("wmo", 0), valid_row("wmo", 1, kanaal="fax")], datum="20250601"
    )
    write_export(exports, "wmo", [valid_row("wmo", 0, kanaal="mail")], datum="20250701")
    con, first = land(exports, db)
    snapshot = _snapshot(con)
    again = land_exports(exports, con, load_config(), "test", progress=lambda _: None)
    assert again == first
    assert _snapshot(con) == snapshot
    other, _ = land(exports, tmp_path / "other.duckdb")
    assert _snapshot(other) == snapshot


def test_row_conservation_holds_and_catches_a_lost_row(exports, db):
    write_export(
        exports,
        "wmo",
        [valid_row("wmo", 0), valid_row("wmo", 0), valid_row("wmo", 2, kanaal="fax")],
    )
    con, result = land(exports, db)
    assert (
        result.rows_read
        == result.rows_loaded + result.rows_quarantined + result.rows_superseded
        == 3
    )
    check_row_conservation(con)
    con.execute("delete from raw.wmo")
    with pytest.raises(CheckFailed, match="wmo_20250701.csv: 3 gelezen, 0 geladen"):
        check_row_conservation(con)


def test_progress_per_source(exports, tmp_path):
    write_export(
        exports,
        "wmo",
        [valid_row("wmo", i) for i in range(3)] + [valid_row("wmo", 9, kanaal="fax")],
    )
    lines: list[str] = []
    land_exports(
        exports,
        duckdb.connect(str(tmp_path / "b.duckdb")),
        load_config(),
        "t",
        progress=lines.append,
    )
    assert "wmo: 1 bestanden, 3 rijen, 1 in quarantaine" in lines
    assert "regie: geen bestanden (indicatoren van deze bron ontbreken)" in lines


def test_reference_tables(exports, db):
    write_export(exports, "regie", [])
    con, _ = land(exports, db)
    reference_rows = len(load_config().wijken_csv.read_text(encoding="utf-8").splitlines()) - 1
    assert con.execute("select count(*), min(inwoners) > 0 from raw.ref_wijken").fetchone() == (
        reference_rows,
        True,
    )
    assert con.execute("select typeof(waarde) from raw.ref_benchmarks limit 1").fetchone() == (
        "DOUBLE",
    )
    assert (
        con.execute(
            "select waarde from raw.ref_benchmarks where waarde % 1 <> 0 limit 1"
        ).fetchone()
        is not None
    )


def test_export_date_comes_from_the_file_name(exports, db):
    write_export(exports, "regie", [valid_row("regie")], datum="20250615")
    con, _ = land(exports, db)
    assert con.execute("select _exportdatum, _bestand, _regel from raw.regie").fetchone() == (
        datetime(2025, 6, 15).date(),
        "regie_20250615.csv",
        2,
    )


# ---------------------------------------------------------------------------------------------
# Free text never lands


def test_planted_bsn_in_free_text_reaches_no_table(exports, db):
    bsn = "123456782"
    for bron in ("wmo", "jeugd", "inkomen", "schuldhulp"):
        rows = [
            valid_row(bron, 0, opmerking=f"BSN {bsn}; zie dossier"),
            valid_row(bron, 1, opmerking=bsn),
        ]
        write_export(exports, bron, rows)
    # A malformed line and a bad value on a row that carries the BSN: quarantine shows neither.
    write_export(
        exports,
        "wmo",
        [valid_row("wmo", 2, opmerking=bsn, kanaal="fax", datum_gesprek=bsn)],
        datum="20250702",
    )
    path = exports / "wmo" / "wmo_20250703.csv"
    path.write_text(";".join(CONTRACT["wmo"].column_names) + f"\nW;{bsn}\n", encoding="utf-8")
    con, result = land(exports, db)
    assert result.rows_loaded == 8 and result.rows_quarantined == 2
    assert _tables_containing(con, bsn) == []
    assert not con.execute(
        "select * from duckdb_columns() where column_name = 'opmerking'"
    ).fetchall()


# ---------------------------------------------------------------------------------------------
# Helpers


def _tables_containing(con, needle: str) -> list[str]:
    """Every table.column in the DB whose text contains `needle`."""
    hits = []
    columns = con.execute(
        "select schema_name, table_name, column_name from duckdb_columns() where not internal"
    ).fetchall()
    for schema, table, column in columns:
        found = con.execute(
            f'select count(*) from "{schema}"."{table}" where contains(cast("{column}" as varchar), ?)',
            [needle],
        ).fetchone()[0]
        if found:
            hits.append(f"{schema}.{table}.{column}")
    return hits


def _snapshot(con) -> dict[str, list[tuple]]:
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where not internal order by all"
    ).fetchall()
    return {
        f"{s}.{t}": con.execute(f'select * from "{s}"."{t}" order by all').fetchall()
        for s, t in tables
    }


# ---------------------------------------------------------------------------------------------
# Files parsed by an earlier build


def _landed_state(con) -> dict[str, list[tuple]]:
    tables = {f"raw.{code}" for code in CONTRACT} | {"quarantine"}
    state = {t: con.execute(f"select * from {t} order by all").fetchall() for t in sorted(tables)}
    state["load_log"] = con.execute(
        "select * exclude (build_id) from load_log order by all"
    ).fetchall()
    return state


def _land_with_parsed(exports: Path, db: Path, parsed: Path):
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    lines: list[str] = []
    land_exports(exports, con, load_config(), "test", lines.append, parsed_dir=parsed)
    check_row_conservation(con)
    return con, lines


def test_unchanged_files_are_not_split_again_and_land_the_same(exports, db, tmp_path):
    write_export(exports, "wmo", [valid_row("wmo", i) for i in range(3)], datum="20250601")
    write_export(exports, "wmo", [valid_row("wmo", 1), valid_row("wmo", 4, kanaal="fax")])
    bad = exports / "regie" / f"regie_{EXPORT_DATE}.csv"
    write_export(exports, "regie", [valid_row("regie")])
    bad.write_text(bad.read_text(encoding="utf-8") + "een;regel;met;te;weinig\n", encoding="utf-8")
    parsed = tmp_path / "parsed"

    con, first_lines = _land_with_parsed(exports, db, parsed)
    first = _landed_state(con)
    con.close()
    assert len(list(parsed.glob("*.arrow"))) == 3
    assert not any("niet opnieuw gesplitst" in line for line in first_lines)
    assert first["quarantine"] and first["raw.wmo"]  # the kept files include bad rows and lines

    con, again_lines = _land_with_parsed(exports, db, parsed)
    assert _landed_state(con) == first
    assert "3 ongewijzigde bestanden niet opnieuw gesplitst" in again_lines
    con.close()

    # A changed file is split again; a removed file's parsed copy is dropped.
    write_export(exports, "wmo", [valid_row("wmo", 1, kanaal="fax")])
    (exports / "wmo" / "wmo_20250601.csv").unlink()
    con, lines = _land_with_parsed(exports, db, parsed)
    assert "1 ongewijzigde bestanden niet opnieuw gesplitst" in lines
    assert con.execute("select count(*) from raw.wmo").fetchone() == (0,)
    assert len(list(parsed.glob("*.arrow"))) == 2


def test_a_damaged_parsed_file_is_split_again(exports, db, tmp_path):
    write_export(exports, "wmo", [valid_row("wmo", i) for i in range(3)])
    parsed = tmp_path / "parsed"
    con, _ = _land_with_parsed(exports, db, parsed)
    first = _landed_state(con)
    con.close()
    for kept in parsed.glob("*.arrow"):
        kept.write_bytes(b"not an arrow file")
    con, lines = _land_with_parsed(exports, db, parsed)
    assert _landed_state(con) == first
    assert not any("niet opnieuw gesplitst" in line for line in lines)


# ---------------------------------------------------------------------------------------------
# Files of any size: read in blocks and batches, never whole


def test_a_file_of_many_batches_keeps_every_line_and_reason(exports, db, tmp_path, monkeypatch):
    monkeypatch.setattr(land_module, "BATCH_ROWS", 2)
    rows = [valid_row("wmo", i) for i in range(7)]
    rows[1]["opmerking"] = "spans\ntwo lines"
    rows[4]["kanaal"] = "fax"
    path = write_export(exports, "wmo", rows)
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    lines.insert(4, "too;few;fields")  # line 6: after rows[1] (lines 3-4) and rows[2] (line 5)
    path.write_text("\r\n".join(lines), encoding="utf-8")
    expected_quarantine = [
        ("wmo_20250701.csv", 6, None, f"regel heeft 3 velden, verwacht {len(CONTRACT['wmo'].columns)}"),
        ("wmo_20250701.csv", 8, "kanaal", "kanaal 'fax' is geen geldige code"),
    ]
    for parsed in (None, tmp_path / "parsed"):  # straight from the reader, and via the kept file
        db.unlink(missing_ok=True)
        con = duckdb.connect(str(db))
        land_exports(exports, con, load_config(), "test", lambda _: None, parsed_dir=parsed)
        check_row_conservation(con)
        assert quarantine(con) == expected_quarantine
        assert con.execute("select _regel from raw.wmo order by _regel").fetchall() == [
            (2,), (3,), (5,), (7,), (9,), (10,)
        ]
        assert con.execute("select rijen_gelezen, rijen_geladen from load_log").fetchall() == [(8, 6)]
        con.close()


def test_encoding_is_checked_across_block_boundaries(exports, db, monkeypatch):
    monkeypatch.setattr(land_module, "_BLOCK_BYTES", 5)  # every 'é' (2 bytes) risks a split
    rows = [valid_row("wmo", i, opmerking="één café") for i in range(3)]
    path = write_export(exports, "wmo", rows)
    con, result = land(exports, db)
    assert result.rows_loaded == 3
    con.close()

    data = path.read_bytes()
    line_4 = data.index(b"\n", data.index(b"\n", data.index(b"\n") + 1) + 1) + 1
    path.write_bytes(data[:line_4] + b"\xe9" + data[line_4:])  # Latin-1 'é' at line 4's start
    db.unlink()
    with pytest.raises(RefusedFile, match="byte 0xe9 op regel 4 is geen geldig UTF-8"):
        land(exports, db)


def test_utf8_for_a_windows_1252_source_is_refused_across_blocks(exports, db, monkeypatch):
    monkeypatch.setattr(land_module, "_BLOCK_BYTES", 3)
    write_export(exports, "inkomen", [valid_row("inkomen", 0, opmerking="één café")], encoding="utf-8")
    with pytest.raises(RefusedFile, match="het is UTF-8, maar deze bron levert Windows-1252"):
        land(exports, db)
