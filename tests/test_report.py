"""The raadsbriefing (`sdmonitor report`): sentences, figures against the warehouse, privacy, errors.

The sentence rules are tested on hand-made figures; the document on the demo warehouse (the
session fixture), reading the PDF back with pypdf and comparing with plain SQL on the warehouse.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from sdmonitor import nl
from sdmonitor.errors import MonitorError
from sdmonitor.kerncijfers import KERNCIJFERS, families
from sdmonitor.report_text import Benchmark, Cijfer, vergelijk, zin_benchmark, zin_ontwikkeling

REPO_ROOT = Path(__file__).resolve().parent.parent
NL = Benchmark(waarde=80.0, naam="Nederland", label="Nederland, 2025 (jaarcijfer), voorlopig")
PEER = Benchmark(waarde=70.0, naam="Niet-stedelijke gemeenten", landelijk=False,
                 label="Niet-stedelijke gemeenten, 2018 (jaarcijfer), definitief")


# ---------------------------------------------------------------- sentences (hand-made inputs)


def test_interval_containing_the_benchmark_is_not_called_higher():
    nu = Cijfer("2025-H2", waarde=83.5, ci_laag=76.4, ci_hoog=88.8)
    zin = zin_benchmark("Het aandeel", nu, NL, "%")
    assert vergelijk(nu, NL.waarde) == "gelijk"
    assert "hoger dan" not in zin and "lager dan" not in zin
    assert "niet significant" in zin
    assert "83,5%" in zin and "80,0%" in zin and "Nederland, 2025 (jaarcijfer), voorlopig" in zin


def test_overlapping_intervals_are_not_a_difference():
    nu = Cijfer("2025-H2", waarde=83.0, ci_laag=78.0, ci_hoog=88.0)
    bm = Benchmark(waarde=75.0, naam="Nederland", label="Nederland, 2025", ci_laag=72.0,
                   ci_hoog=78.5)
    assert vergelijk(nu, bm.waarde, bm.ci_laag, bm.ci_hoog) == "gelijk"
    zin = zin_benchmark("Het aandeel", nu, bm, "%")
    assert "hoger dan landelijk" not in zin and "hoger dan het landelijk" not in zin
    assert "niet significant" in zin


def test_separate_intervals_are_significant():
    nu = Cijfer("2025-H2", waarde=90.0, ci_laag=86.0, ci_hoog=93.0)
    assert "significant hoger dan het landelijk cijfer" in zin_benchmark("Het aandeel", nu, NL, "%")
    laag = Cijfer("2025-H2", waarde=60.0, ci_laag=55.0, ci_hoog=65.0)
    assert "significant lager dan het landelijk cijfer" in zin_benchmark("Het aandeel", laag, NL, "%")


def test_figure_without_interval_is_not_claimed_significant():
    nu = Cijfer("2025-H2", waarde=86.8)
    zin = zin_benchmark("Het aandeel", nu, NL, "%")
    assert vergelijk(nu, NL.waarde) == "niet_getoetst"
    assert "ligt boven het landelijk cijfer" in zin
    assert "niet op significantie getoetst" in zin
    assert "significant hoger" not in zin and "hoger dan" not in zin


def test_peer_benchmark_is_never_called_national():
    zin = zin_benchmark("Het aandeel", Cijfer("2025-H2", waarde=75.0), PEER, "%")
    assert "landelijk" not in zin
    assert "Niet-stedelijke gemeenten, 2018 (jaarcijfer)" in zin


def test_no_benchmark_is_said_not_invented():
    zin = zin_benchmark("Het aandeel", Cijfer("2025-H2", waarde=75.0), None, "%")
    assert "geen landelijk" in zin and not re.search(r"\d", zin)


def test_change_against_previous_half_year_without_interval():
    zin = zin_ontwikkeling("Het aandeel vragen dat in het voorliggend veld is beantwoord",
                           Cijfer("2025-H2", waarde=46.0), Cijfer("2025-H1", waarde=41.0), "%")
    assert zin == ("Het aandeel vragen dat in het voorliggend veld is beantwoord steeg van 41,0% "
                   "in het 1e halfjaar 2025 naar 46,0% (+5,0 procentpunt).")
    daalde = zin_ontwikkeling("Het aantal", Cijfer("2025-H2", waarde=51), Cijfer("2025-H1", waarde=60),
                              "aantal")
    assert "daalde van 60" in daalde and "naar 51" in daalde


def test_change_with_overlapping_intervals_is_not_a_rise():
    zin = zin_ontwikkeling("Het aandeel", Cijfer("2025-H2", waarde=83.0, ci_laag=76.0, ci_hoog=89.0),
                           Cijfer("2025-H1", waarde=79.0, ci_laag=72.0, ci_hoog=85.0), "%")
    assert "steeg" not in zin and "daalde" not in zin
    assert "niet aantoonbaar" in zin
    zin = zin_ontwikkeling("Het aandeel", Cijfer("2025-H2", waarde=90.0, ci_laag=87.0, ci_hoog=93.0),
                           Cijfer("2025-H1", waarde=79.0, ci_laag=72.0, ci_hoog=85.0), "%")
    assert "steeg significant van 79,0%" in zin


def test_suppressed_figures_are_never_printed():
    # Even if a value were left on a suppressed row, it is not used.
    rij = {"periode": "2025-H2", "waarde": 12.345, "ci_laag": 10.0, "ci_hoog": 14.0,
           "onderdrukt": True, "reden_onderdrukt": "Noemer kleiner dan 10"}
    nu = Cijfer.uit_rij(rij)
    assert nu.waarde is None and not nu.zichtbaar
    zin = zin_ontwikkeling("Het aandeel", nu, Cijfer("2025-H1", waarde=50.0), "%")
    assert "onderdrukt (privacy)" in zin and "12,3" not in zin and "50,0" not in zin
    assert "12,3" not in zin_benchmark("Het aandeel", nu, NL, "%")
    vorig = Cijfer.uit_rij({**rij, "periode": "2025-H1"})
    zin = zin_ontwikkeling("Het aandeel", Cijfer("2025-H2", waarde=40.0), vorig, "%")
    assert "onderdrukt (privacy)" in zin and "12,3" not in zin and "steeg" not in zin


# ---------------------------------------------------------------- the document on the demo data


def _pdf_pagina_teksten(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages]


def _secties(paginas: list[str]) -> dict[str, str]:
    """Family code -> the text of its pages (each family starts a page with 'N. Label')."""
    starts = {}
    for n, familie in enumerate(families(), start=1):
        kop = f"{n}. {nl.familie_label(familie)}"
        starts[familie] = next(i for i, t in enumerate(paginas) if t.startswith(kop))
    grenzen = sorted(starts.values()) + [len(paginas)]
    return {f: " ".join(paginas[i:grenzen[grenzen.index(i) + 1]]) for f, i in starts.items()}


def _verwacht(warehouse: Path, periode: str) -> dict:
    """Per headline, the text the report must print, by plain SQL on the warehouse."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        gm = con.execute("select gebied_code from dim_gebied where soort = 'gemeente'").fetchone()[0]
        uit = {}
        for kern in KERNCIJFERS:
            rijen = con.execute(
                """select coalesce(f.uitsplitsing, ''), f.waarde, coalesce(f.onderdrukt, false),
                          i.eenheid
                   from fct_indicator f join dim_indicator i using (indicator)
                   where f.indicator = ? and f.periode = ? and f.gebied_code = ?""",
                [kern.indicator, periode, gm]).fetchall()
            if kern.modus == "top":
                zichtbaar = [r for r in rijen if not r[2] and r[1] is not None]
                rij = max(zichtbaar, key=lambda r: r[1]) if zichtbaar else None
            else:
                rij = next((r for r in rijen if r[0] == kern.uitsplitsing), None)
            assert rij is not None, f"no warehouse row for {kern}"
            tekst = "onderdrukt (privacy)" if rij[2] else nl.waarde(rij[1], rij[3])
            uit[kern] = (tekst, rij)
        return uit
    finally:
        con.close()


@pytest.fixture(scope="module")
def periode(demo_warehouse) -> str:
    from sdmonitor.warehouse import laatste_volledige_periode

    return laatste_volledige_periode(demo_warehouse)


@pytest.fixture(scope="module")
def briefing(demo_warehouse, periode, tmp_path_factory) -> tuple[Path, Path]:
    from sdmonitor.report import write_report

    out = tmp_path_factory.mktemp("briefing") / "raadsbriefing.pdf"
    return write_report(demo_warehouse, periode, out)


def test_pdf_has_cover_and_pages(briefing, demo_warehouse, periode):
    pdf, html = briefing
    assert pdf.read_bytes()[:5] == b"%PDF-" and html.is_file()
    paginas = _pdf_pagina_teksten(pdf)
    assert len(paginas) >= len(families()) + 2  # cover, families, data quality
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    naam = con.execute("select gemeente_naam from build_info").fetchone()[0]
    con.close()
    assert f"Gemeente {naam}" in paginas[0]
    assert nl.periode(periode) in paginas[0]
    assert any(t.startswith("Datakwaliteit") or ". Datakwaliteit" in t[:20] for t in paginas)


def test_headline_figures_equal_the_warehouse(briefing, demo_warehouse, periode):
    pdf, html = briefing
    secties = _secties(_pdf_pagina_teksten(pdf))
    html_tekst = html.read_text(encoding="utf-8")
    for kern, (tekst, _) in _verwacht(demo_warehouse, periode).items():
        assert tekst in secties[kern.familie], f"{kern.indicator}: {tekst!r} not in its section"
        assert tekst in html_tekst
    # One chart per family, embedded (the HTML is self-contained).
    assert html_tekst.count("data:image/png;base64,") == len(families())
    assert not re.search(r'src="https?:', html_tekst)
    assert "@media print" in html_tekst


def test_suppressed_headline_is_not_printed(demo_warehouse, periode, tmp_path):
    from sdmonitor.report import write_report

    kopie = tmp_path / "monitor.duckdb"
    shutil.copy(demo_warehouse, kopie)
    verwacht = _verwacht(kopie, periode)
    kern = next(k for k in KERNCIJFERS if k.indicator == "pct_voorliggend")
    tekst, rij = verwacht[kern]
    assert not rij[2], "the demo's gemeente share should be shown"
    con = duckdb.connect(str(kopie))
    con.execute(
        """update fct_indicator set onderdrukt = true, waarde = null, teller = null, noemer = null,
                  ci_laag = null, ci_hoog = null, reden_onderdrukt = 'Noemer kleiner dan 10'
           where indicator = 'pct_voorliggend' and periode = ?
             and gebied_code = (select gebied_code from dim_gebied where soort = 'gemeente')""",
        [periode])
    con.close()
    pdf, html = write_report(kopie, periode, tmp_path / "briefing.pdf")
    sectie = _secties(_pdf_pagina_teksten(pdf))[kern.familie]
    assert "onderdrukt (privacy)" in sectie
    assert tekst not in sectie, f"suppressed value {tekst} printed"
    nummer = families().index(kern.familie) + 1
    html_sectie = re.search(rf"<h2>{nummer}\. {nl.familie_label(kern.familie)}</h2>(.*?)</section>",
                            html.read_text(encoding="utf-8"), re.DOTALL).group(1)
    assert "onderdrukt (privacy)" in html_sectie and tekst not in html_sectie


def test_unknown_period_and_missing_warehouse(demo_warehouse, tmp_path):
    from sdmonitor.report import write_report

    with pytest.raises(MonitorError, match="2099-H1.*niet in het warehouse"):
        write_report(demo_warehouse, "2099-H1", tmp_path / "x.pdf")
    with pytest.raises(MonitorError, match="geen halfjaar"):
        write_report(demo_warehouse, "2025", tmp_path / "x.pdf")
    with pytest.raises(MonitorError, match="nog geen warehouse"):
        write_report(tmp_path / "bestaat_niet.duckdb", "2025-H2", tmp_path / "x.pdf")
    kapot = tmp_path / "kapot.duckdb"
    kapot.write_bytes(b"dit is geen duckdb-bestand" * 100)
    with pytest.raises(MonitorError):
        write_report(kapot, "2025-H2", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_cli_end_to_end(demo_warehouse, periode, tmp_path):
    out = tmp_path / "briefing.pdf"
    cmd = [sys.executable, "-m", "sdmonitor.cli", "report", "--warehouse", str(demo_warehouse),
           "--period", periode, "--out", str(out)]
    r = subprocess.run(cmd, check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.is_file() and out.with_suffix(".html").is_file()
    assert len(_pdf_pagina_teksten(out)) > 5
    fout = subprocess.run([*cmd[:6], "--period", "2099-H1", "--out", str(tmp_path / "y.pdf")],
                          check=False, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert fout.returncode == 1
    assert "FOUT" in fout.stderr and "2099-H1" in fout.stderr and "Traceback" not in fout.stderr


def test_overview_offers_the_briefing(demo_warehouse, periode, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from dashboard import report_download

    monkeypatch.setenv("SDM_WAREHOUSE", str(demo_warehouse))
    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    knoppen = [k for k in at.get("download_button") if "Raadsbriefing" in k.proto.label]
    assert len(knoppen) == 1 and nl.periode(periode) in knoppen[0].proto.label
    # The deferred data behind the button: the same document as `sdmonitor report`.
    pdf = report_download._pdf(str(demo_warehouse), (0, 0), periode)
    assert pdf[:5] == b"%PDF-"


def test_data_quality_caveats_of_the_period(demo_warehouse, periode, tmp_path):
    """Quarantined rows, a source without exports and a failed check are named in the briefing."""
    from sdmonitor.report import write_report

    kopie = tmp_path / "monitor.duckdb"
    shutil.copy(demo_warehouse, kopie)
    con = duckdb.connect(str(kopie))
    con.execute("insert into quarantine values ('wmo', 'wmo_20250701.csv', 12, 'datum_melding', "
                "'datum onleesbaar'), ('wmo', 'wmo_20250701.csv', 13, 'datum_melding', "
                "'datum onleesbaar')")
    con.execute("delete from load_log where bron = 'regie'")
    con.execute("""insert into validatie select build_id, 'jeugd', 'waarden in codelijst',
                   'uitkomst', false, 'waarschuwing', '3 van 900 rijen wijken af'
                   from validatie limit 1""")
    con.close()
    pdf, _ = write_report(kopie, periode, tmp_path / "briefing.pdf")
    kwaliteit = _pdf_pagina_teksten(pdf)
    tekst = " ".join(kwaliteit[next(i for i, t in enumerate(kwaliteit) if "Datakwaliteit en" in t[:40]):])
    assert "2 rij(en) uit de exports staan in quarantaine" in tekst
    assert "datum onleesbaar" in tekst
    assert "Zonder exports: regie" in tekst
    assert "waarden in codelijst" in tekst and "waarschuwing" in tekst
    assert "schatting" in tekst.lower()


def test_pdf_without_a_ttf_font_falls_back_to_the_core_font(demo_warehouse, periode, monkeypatch,
                                                              tmp_path):
    """On a machine without DejaVu/Liberation the PDF still renders (Helvetica, cp1252)."""
    from sdmonitor import report

    monkeypatch.setattr(report, "_ttf", lambda: None)
    pdf = tmp_path / "kern.pdf"
    pdf.write_bytes(report.report_pdf(demo_warehouse, periode))
    tekst = " ".join(_pdf_pagina_teksten(pdf))
    assert "Wmo: melding -> gesprek" in tekst  # '→' is not in cp1252
    for waarde, _rij in _verwacht(demo_warehouse, periode).values():
        assert waarde in tekst
