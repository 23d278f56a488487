"""Real-browser test: Debian chromium (headless) loads every page of a running dashboard.

Starts `streamlit run dashboard/app.py` on a free port against the demo build, checks that each
page shows its key figure (computed from the warehouse with SQL), saves a screenshot per page in
test-artifacts/, and walks the three-click path overview -> wijken -> one wijk's profile.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from sdmonitor import nl

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard" / "app.py"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
WACHT = "stap=melding_gesprek;team=wmo"

if not CHROMIUM.exists():
    pytest.skip("Debian chromium ontbreekt (/usr/bin/chromium); installeer met `make browser`",
                allow_module_level=True)


def _sql(warehouse: Path, sql: str, params=None):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_warehouse):
    poort = _vrije_poort()
    env = dict(os.environ, SDM_WAREHOUSE=str(demo_warehouse))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless=true",
         f"--server.port={poort}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
         "--server.fileWatcherType=none"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{poort}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    # nl-NL: the tables' localized numbers follow the reader's browser, as in a Dutch gemeente.
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _periode(wh: Path) -> str:
    """The latest complete half-year: the one the dashboard opens on."""
    grens = _sql(wh, "select min(m) from (select max(exportdatum) m from load_log group by bron)")[0][0]
    per = _sql(wh, "select max(periode) from dim_periode where einddatum < ?", [grens])[0][0]
    return per or _sql(wh, "select max(periode) from fct_indicator")[0][0]


def _cel(wh: Path, indicator: str, uitsplitsing: str = "", gebied: str | None = None) -> str:
    gebied = gebied or _sql(wh, "select gebied_code from dim_gebied where soort = 'gemeente'")[0][0]
    waarde, onderdrukt, eenheid = _sql(wh, """
        select f.waarde, f.onderdrukt, i.eenheid from fct_indicator f join dim_indicator i using (indicator)
        where indicator = ? and periode = ? and gebied_code = ? and uitsplitsing = ?""",
        [indicator, _periode(wh), gebied, uitsplitsing])[0]
    return nl.ONDERDRUKT if onderdrukt else nl.waarde(waarde, eenheid)


def _top(wh: Path, indicator: str) -> str:
    gm = _sql(wh, "select gebied_code from dim_gebied where soort = 'gemeente'")[0][0]
    waarde = _sql(wh, "select max(waarde) from fct_indicator where indicator = ? and periode = ? "
                      "and gebied_code = ?", [indicator, _periode(wh), gm])[0][0]
    return nl.waarde(waarde, "aantal")


# url path (Streamlit derives it from the file name) -> key figure, from the warehouse.
KERN = {
    "": lambda wh: _cel(wh, "wachtend", WACHT),
    "vindbaarheid": lambda wh: _cel(wh, "pct_wist_waar", "onderzoek=ceo_wmo"),
    "voorliggend_veld": lambda wh: _cel(wh, "pct_voorliggend"),
    "wachtlijsten": lambda wh: _cel(wh, "pct_binnen_termijn", WACHT),
    "overgang_18": lambda wh: _cel(wh, "pct_vervolg_geregeld"),
    "capaciteit": lambda wh: _cel(wh, "bezettingsgraad", "team=wmo"),
    "vraagpatroon": lambda wh: _top(wh, "hulpvragen"),
    "integraliteit": lambda wh: _cel(wh, "pct_huishoudens_multi_team"),
    "datakwaliteit": lambda wh: nl.getal(_sql(
        wh, "select sum(rijen_geladen) from load_log where build_id = (select max(build_id) from load_log)")[0][0]),
}


def _zichtbaar(pg, tekst: str) -> None:
    pg.locator('[data-testid="stMetricValue"]').filter(has_text=tekst).first.wait_for(
        state="visible", timeout=60_000)


def _screenshot(pg, naam: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.wait_for_timeout(1500)  # let the charts finish drawing
    pg.screenshot(path=str(ARTIFACTS / f"dashboard_{naam or 'overzicht'}.png"), full_page=True)


@pytest.mark.parametrize("pad", list(KERN))
def test_page_shows_its_key_figure(server, page, demo_warehouse, pad):
    page.goto(f"{server}/{pad}")
    _zichtbaar(page, KERN[pad](demo_warehouse))
    assert page.locator('[data-testid="stException"]').count() == 0
    _screenshot(page, pad)


def test_three_clicks_from_overview_to_a_wijks_waiting_times(server, page, demo_warehouse):
    page.goto(server)
    _zichtbaar(page, KERN[""](demo_warehouse))
    # Click 1: "Per wijk" on the Wachtlijsten tile.
    page.locator('a[href*="indicator=pct_binnen_termijn"]').first.click()
    page.get_by_role("heading", name="Wijken").first.wait_for(timeout=60_000)
    kaart = page.locator('[data-testid="stVegaLiteChart"]').first
    kaart.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(1500)
    # Click 2: the first wijk tile (top-left of the grid; reading order is by wijk code).
    wijk, naam = _sql(demo_warehouse, """
        select g.gebied_code, g.gebied_naam from dim_gebied g
        where g.soort = 'wijk' and exists (select 1 from fct_indicator f where f.gebied_code = g.gebied_code
          and f.indicator = 'pct_binnen_termijn' and f.periode = ?)
        order by g.gebied_code limit 1""", [_periode(demo_warehouse)])[0]
    vak = kaart.locator("canvas, svg").first.bounding_box()
    page.mouse.click(vak["x"] + 30, vak["y"] + 25)
    # The profile opens on that wijk, with its waiting-time figure (click 3 would pick a stage).
    page.get_by_text(f"Wijkprofiel {naam}").first.wait_for(timeout=60_000)
    _zichtbaar(page, _cel(demo_warehouse, "pct_binnen_termijn", WACHT, wijk))
    assert f"wijk={wijk}" in page.url
    _screenshot(page, "wijkprofiel")
