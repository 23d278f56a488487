"""Issue 17, "no injection" and "safe defaults" on real components.

* A warehouse folder with a quote in its name ("o'brien") builds, publishes, and the dashboard
  and doctor read it (SQL gets paths as parameters, names as quoted identifiers).
* Values in the address (?indicator=, ?wijk=, ?periode=, ...) are used only when they are known
  codes; anything else is ignored and never shown.
* Names and labels from the warehouse reach the screen as text, never as Markdown (a link, an
  image, coloured text).
* CSV and Excel downloads never start a text cell with a formula; numbers stay numbers.
* An error on a page or in a callback is logged on the server with an id; the visitor sees the id.
* Without a login the dashboard says who can see it.

The warehouse is the hand-made export set (tests/fixtures/handmade) built with the real pipeline.
The dashboard runs in-process with streamlit.testing (AppTest), as in test_dashboard_apptest.py.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import PAGINA

HANDMADE_EXPORTS = Path(__file__).resolve().parent / "fixtures" / "handmade" / "exports"
APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
WIJK = "WK015001"
LINK = "[Log opnieuw in](https://evil.example/login)"


@pytest.fixture(scope="module")
def obrien(tmp_path_factory) -> Path:
    """The hand-made export set built into a folder named o'brien (exports and warehouse)."""
    from sdmonitor.build import build

    folder = tmp_path_factory.mktemp("quote") / "o'brien"
    shutil.copytree(HANDMADE_EXPORTS, folder / "exports")
    warehouse = folder / "monitor.duckdb"
    build(folder / "exports", warehouse)
    assert warehouse.is_file(), "build published no warehouse"
    return warehouse


def _sql(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _kopie(warehouse: Path, doel: Path, *sql: str) -> Path:
    """A copy of the warehouse with some statements applied (crafted names, extra tables)."""
    shutil.copy(warehouse, doel)
    with duckdb.connect(str(doel)) as con:
        for s in sql:
            con.execute(s)
    return doel


def _app(warehouse: Path, monkeypatch, query: dict | None = None, pagina: str | None = None) -> AppTest:
    monkeypatch.setenv("SDM_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if pagina:
        at.switch_page(PAGINA[pagina]).run()
    return at


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _markdown_teksten(at: AppTest) -> list[str]:
    """Every text Streamlit renders as Markdown: bodies, titles, alerts, labels and help texts."""
    teksten = []
    for soort in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error",
                  "success"):
        for el in getattr(at, soort):
            teksten.append(el.value)
            teksten.append(getattr(el.proto, "help", ""))
    for m in at.metric:
        teksten += [m.label, m.help or ""]
    teksten += [e.label for e in at.expander]
    teksten += [w.label for w in (*at.selectbox, *at.button, *at.download_button, *at.checkbox)]
    return [t for t in teksten if t]


# ---------------------------------------------------------------- a quote in the folder name


def test_a_warehouse_folder_with_a_quote_builds_publishes_and_is_read(obrien, monkeypatch):
    from sdmonitor import warehouse
    from sdmonitor.doctor import check_warehouse

    assert "'" in obrien.parent.name
    warehouse.controleer(obrien)
    assert not warehouse.cijfers(obrien, gebieden=[WIJK]).empty
    assert not warehouse.periodes(obrien).empty
    assert {"build_info", "load_log", "quarantine", "fct_indicator"} <= warehouse.tabellen(obrien)
    assert any(f.ok and "is leesbaar" in f.text for f in check_warehouse(obrien))
    # The dashboard's own queries on it: the overview and the wijk page render.
    at = _app(obrien, monkeypatch)
    _no_errors(at)
    assert at.metric, "the overview shows its headline figures"
    at.switch_page(PAGINA["wijken"]).run()
    _no_errors(at)


def test_a_second_build_in_that_folder_keeps_the_load_log_history(obrien, tmp_path):
    from sdmonitor.build import build

    doel = obrien.parent / "tweede.duckdb"
    shutil.copy(obrien, doel)
    build(obrien.parent / "exports", doel)
    assert _sql(doel, "select count(distinct build_id) from load_log")[0][0] == 2


def test_table_names_read_from_a_file_are_quoted(obrien, tmp_path):
    """controleer and doctor read every table of the file once: a table whose name holds a double
    quote must be read as that table, not end the statement."""
    from sdmonitor import warehouse
    from sdmonitor.doctor import check_warehouse

    pad = _kopie(obrien, tmp_path / "monitor.duckdb", 'create table "x"" as t; --" (i integer)')
    assert 'x" as t; --' in warehouse.tabellen(pad)
    warehouse.controleer(pad)  # no "beschadigd": the table was read
    bevindingen = check_warehouse(pad)
    assert any(f.ok and "is leesbaar" in f.text for f in bevindingen), [f.text for f in bevindingen]


# ---------------------------------------------------------------- values from the address


def test_unknown_values_in_the_address_are_ignored(obrien, monkeypatch):
    vreemd = {
        "indicator": LINK, "uitsplitsing": "**x**", "wijk": f"{WIJK}' or 1=1 --",
        "periode": "2024-H2)![x](https://evil.example/x.png", "stap": ":red[stap]",
    }
    at = _app(obrien, monkeypatch, vreemd, pagina="wijken")
    _no_errors(at)
    # Not echoed anywhere, not even escaped: an unknown value never reaches the screen.
    for tekst in _markdown_teksten(at):
        assert "evil.example" not in tekst and "Log opnieuw in" not in tekst and "red" not in tekst
    standaard = _app(obrien, monkeypatch, pagina="wijken")
    for key in ("periode", "wijk_indicator", "wijk_uitsplitsing", "wijk_keuze"):
        assert at.selectbox(key=key).value == standaard.selectbox(key=key).value, key


def test_known_codes_in_the_address_still_select(obrien, monkeypatch):
    periode = _sql(obrien, "select min(periode) from fct_indicator")[0][0]
    at = _app(obrien, monkeypatch, {"indicator": "pct_binnen_termijn", "wijk": WIJK, "periode": periode},
              pagina="wijken")
    _no_errors(at)
    assert at.selectbox(key="periode").value == periode
    assert at.selectbox(key="wijk_indicator").value == "pct_binnen_termijn"
    assert at.selectbox(key="wijk_keuze").value == WIJK
    # A known indicator without wijk figures is named (by its label), as before.
    at = _app(obrien, monkeypatch, {"indicator": "bezettingsgraad"}, pagina="wijken")
    label = _sql(obrien, "select label_nl from dim_indicator where indicator = 'bezettingsgraad'")[0][0]
    assert any(label in i.value and "alleen voor de gemeente" in i.value for i in at.info)


# ---------------------------------------------------------------- Markdown from data


@pytest.fixture()
def vervalst(obrien, tmp_path) -> Path:
    """Names and labels in the warehouse that would be Markdown if not escaped."""
    wijknaam = LINK.replace("'", "''")
    return _kopie(
        obrien, tmp_path / "monitor.duckdb",
        f"update dim_gebied set gebied_naam = '{wijknaam}' where gebied_code = '{WIJK}'",
        f"update dim_indicator set label_nl = '{wijknaam} **vet**', "
        "definitie = '![beeld](https://evil.example/x.png)' where indicator = 'pct_binnen_termijn'",
        "update dim_gebied set gebied_naam = ':red[Gemeente] <b>x</b> $x^2$' where soort = 'gemeente'",
        "update fct_benchmark_vergelijking set label = '[Landelijk](https://evil.example)'",
    )


def _geen_markdown_uit_data(teksten: list[str]) -> None:
    for tekst in teksten:
        assert "[Log opnieuw in](" not in tekst, tekst
        assert "![beeld](" not in tekst, tekst
        assert ":red[" not in tekst, tekst
        assert "**vet**" not in tekst, tekst
        assert "[Landelijk](" not in tekst, tekst
        assert "$x^2$" not in tekst, tekst


def test_names_and_labels_from_the_warehouse_are_shown_as_text(vervalst, monkeypatch):
    at = _app(vervalst, monkeypatch, {"indicator": "pct_binnen_termijn", "wijk": WIJK}, pagina="wijken")
    _no_errors(at)
    teksten = _markdown_teksten(at)
    _geen_markdown_uit_data(teksten)
    # The names are there, escaped (so the test looks at what was shown).
    assert any(r"\[Log opnieuw in\]\(https\://evil.example/login\)" in t for t in teksten)
    assert any(r"\:red\[Gemeente\]" in t for t in teksten)
    for pagina in ("overzicht", "wachtlijsten"):
        at.switch_page(PAGINA[pagina]).run()
        _no_errors(at)
        teksten = _markdown_teksten(at)
        _geen_markdown_uit_data(teksten)
        assert any(r"\[Landelijk\]" in t for t in teksten) or pagina != "overzicht"


def test_md_escapes_what_makes_markdown_and_keeps_plain_names_readable():
    from dashboard.veilig import md

    assert md("Colmschate-Noord") == "Colmschate-Noord"
    assert md("Borgele en Platvoet, 't Zand") == "Borgele en Platvoet, 't Zand"
    assert md(LINK) == r"\[Log opnieuw in\]\(https\://evil.example/login\)"
    assert md("www.evil.example") == r"www\.evil.example"
    assert md("x@evil.example") == r"x\@evil.example"
    assert md("# kop\n- lijst") == r"\# kop - lijst"  # one line: '-' is no list item there
    assert md("1. eerste") == r"1\. eerste"
    assert md("<img src=x onerror=alert(1)>") == r"\<img src=x onerror=alert\(1\)\>"


# ---------------------------------------------------------------- downloads


def test_spreadsheet_cells_that_start_a_formula_are_neutralised():
    from dashboard.components import als_csv, als_excel

    df = pd.DataFrame({
        "gebied_naam": ['=HYPERLINK("https://evil.example","klik")', "+31 6 1234", "-kort", "@SUM(A1)",
                        "\tTab", "Binnenstad"],
        "waarde": [-3.5, 2.0, -1.0, 0.0, 1.5, 7.25],
        "teller": [-3, 2, 1, 0, 1, 7],
        "waarde_tekst": ["-3,5%", "2,0%", "-1,0%", "0,0%", "1,5%", "7,3%"],
    })
    rijen = list(csv.reader(io.StringIO(als_csv(df).decode("utf-8-sig")), delimiter=";"))
    assert rijen[1][:3] == ["'=HYPERLINK(\"https://evil.example\",\"klik\")", "-3,5", "-3"]
    assert [r[0] for r in rijen[1:]] == ["'" + v for v in df["gebied_naam"][:5]] + ["Binnenstad"]
    assert rijen[1][3] == "'-3,5%" and rijen[6][3] == "7,3%"

    from openpyxl import load_workbook

    blad = load_workbook(io.BytesIO(als_excel(df))).active
    cellen = [c for rij in blad.iter_rows(min_row=2) for c in rij]
    assert not [c.coordinate for c in cellen if c.data_type == "f"], "a cell became a formula"
    assert blad["A2"].value == "'" + df["gebied_naam"][0] and blad["A2"].data_type == "s"
    # Real negative numbers stay numbers.
    assert blad["B2"].value == -3.5 and blad["B2"].data_type == "n"
    assert blad["C2"].value == -3 and blad["C2"].data_type == "n"


def test_downloads_on_the_page_neutralise_a_wijk_name_from_the_warehouse(obrien, tmp_path, monkeypatch):
    """The Excel file the wijk table's button serves (its deferred data, as Streamlit calls it on
    a click) has the crafted name as text, not as a formula."""
    from openpyxl import load_workbook
    from streamlit.runtime.media_file_manager import MediaFileManager

    formule = '=HYPERLINK("https://evil.example","klik hier")'
    pad = _kopie(obrien, tmp_path / "monitor.duckdb",
                 f"update dim_gebied set gebied_naam = '{formule.replace(chr(39), chr(39) * 2)}' "
                 f"where gebied_code = '{WIJK}'")
    bestanden: dict[str, tuple] = {}
    origineel = MediaFileManager.add_deferred

    def opnemen(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = origineel(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        bestanden[file_id] = (data_callable, file_name)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", opnemen)
    at = _app(pad, monkeypatch, {"indicator": "pct_binnen_termijn"}, pagina="wijken")
    _no_errors(at)
    knop = next(b for b in at.download_button if b.proto.deferred_file_id
                and bestanden[b.proto.deferred_file_id][1] == "wijken_tabel.xlsx")
    blad = load_workbook(io.BytesIO(bestanden[knop.proto.deferred_file_id][0]())).active
    koppen = [c.value for c in blad[1]]
    namen = [r[koppen.index("Gebied")].value for r in blad.iter_rows(min_row=2)]
    assert "'" + formule in namen
    assert not [c.coordinate for r in blad.iter_rows() for c in r if c.data_type == "f"]


# ---------------------------------------------------------------- errors and the banner


def _foutcode(at: AppTest) -> str:
    codes = [m.group(1) for e in at.error for m in [re.search(r"Foutcode: \*\*([0-9a-f]{8})\*\*", e.value)] if m]
    assert codes, [e.value for e in at.error]
    return codes[0]


def test_an_error_on_a_page_shows_an_id_and_is_logged_with_it(obrien, monkeypatch, caplog):
    import streamlit as st

    from dashboard import components

    def kapot(*args, **kwargs):
        raise RuntimeError("geheim: /srv/monitor/.monitor.duckdb.build/build.duckdb")

    monkeypatch.setattr(components, "sectie_trend", kapot)
    with caplog.at_level(logging.ERROR, logger="sdmonitor.dashboard"):
        at = _app(obrien, monkeypatch, pagina="vindbaarheid")
    assert not at.exception, "Streamlit's own error display (with the message) was used"
    code = _foutcode(at)
    for tekst in _markdown_teksten(at):
        assert "geheim" not in tekst and "RuntimeError" not in tekst
    # The server's log has the id with the full error and its traceback.
    records = [r for r in caplog.records if r.name == "sdmonitor.dashboard" and code in r.getMessage()]
    assert records and records[0].exc_info and "geheim" in str(records[0].exc_info[1])
    # However the app is started, Streamlit itself shows no details of an uncaught error.
    assert st.get_option("client.showErrorDetails") == "none"


def test_an_error_in_a_callback_shows_an_id_and_is_logged_with_it(obrien, monkeypatch, caplog):
    from dashboard import components

    at = _app(obrien, monkeypatch, {"indicator": "pct_binnen_termijn", "wijk": WIJK}, pagina="wijken")
    _no_errors(at)

    def kapot(code):
        raise RuntimeError("geheim uit een callback")

    monkeypatch.setattr(components, "kies_wijk", kapot)
    with caplog.at_level(logging.ERROR, logger="sdmonitor.dashboard"):
        at.run()  # the button is drawn with the failing callback
        at.button(key="terug").click().run()
    assert not at.exception, "Streamlit's own error display (with the message) was used"
    code = _foutcode(at)
    assert all("geheim" not in t for t in _markdown_teksten(at))
    assert any(code in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.fixture()
def adres():
    """Set server.address for an in-process run, as `streamlit run --server.address` does."""
    from streamlit import config

    vorig = config.get_option("server.address")
    yield lambda waarde: config.set_option("server.address", waarde)
    config.set_option("server.address", vorig)


def test_without_login_the_banner_says_this_computer_only(obrien, monkeypatch, adres):
    adres("127.0.0.1")
    at = _app(obrien, monkeypatch)
    _no_errors(at)
    tekst = " ".join(i.value for i in at.sidebar.info)
    assert "zonder login" in tekst and "alleen op deze computer" in tekst
    assert not at.sidebar.warning


def test_without_login_on_the_network_the_banner_warns(obrien, monkeypatch, adres):
    adres("0.0.0.0")
    at = _app(obrien, monkeypatch)
    tekst = " ".join(w.value for w in at.sidebar.warning)
    assert "zonder login" in tekst and "via het netwerk" in tekst
