"""Load: concurrent dashboard sessions switching periods and wijken while new builds publish.

    python -m bench.load [--sessions 20] [--duration 60] [--scale 1] [--client ws|browser]
                         [--think 0.3] [--out docs/performance.md]

Starts `sdmonitor dashboard` on a warehouse built from demo exports and opens `--sessions`
sessions, each its own user: half on the overview switching the sidebar "Periode", half on the
Wijken page switching "Wijkprofiel". Meanwhile two complete `sdmonitor build` runs publish into
the same file (exports of other seeds, so the figures change). The load lasts `--duration`
seconds and at least until both builds have published and every session has had time to switch
a few more times.

Two clients (`--client`), one loop (`_load`, `_run_session`, `_final_check`):

* `ws` (default): Streamlit's own websocket protocol without a browser (bench/stclient.py), a
  connection per session, sending what the browser sends (reruns with the widget value, the
  fragment's auto-reruns). Measured per switch: from sending the rerun with the new value to the
  server's script_finished of the run that shows the chosen period or wijk, i.e. the server's
  time including sending every element; a browser adds its drawing (charts) on top. Cheap on
  the client side, so 20 sessions on 2 cores measure the server, not the browsers.
* `browser`: headless Debian chromium (each session its own context). Measured in the page's
  own clock: from the mouse-down on the new option to the rerun drawn (script state back to
  notRunning, nothing stale, every chart drawn, and the page showing the choice). On a 2-core
  machine 20 chromium sessions do not get through their first page; 10 do.

Checked on every switch: no exception element, no error alert, no connection dropped or error.
At the end, after the last publication: every session shows the last build by itself (its build
id, through the dashboard's auto-rerun) and still after one more switch, and on the overview the
last build's figure for the period the session shows.

The p50/p95 table is written into docs/performance.md between `<!-- load:start -->` and
`<!-- load:end -->`; the rest of that file (bench/run.py's report) is left alone.

tests/test_load.py runs a shorter version (`run_load` with a publisher that runs the publish
step, sdmonitor.publish.publish, from prepared build databases, since a full build takes longer
than the CI window).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Self

import duckdb

from bench.dashboard import (
    _INIT_SCRIPT,
    _RUN_DONE,
    CHROMIUM,
    CHROMIUM_ARGS,
    _free_port,
    percentile,
    start_server,
    stop_server,
)
from bench.stclient import RunNotFinished, SessionClosed, StreamlitSession

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "docs" / "performance.md"
DEFAULT_WORK = REPO / "bench" / "out" / "load"
START, END = "<!-- load:start -->", "<!-- load:end -->"
PERIOD_LABEL, WIJK_LABEL, WIJK_PAGE = "Periode", "Wijkprofiel", "wijken"
# The headline figure checked on the overview after the last swap (the overview's waiting tile).
HEADLINE = ("wachtend", "stap=melding_gesprek;team=wmo")

# The rerun after the last mouse-down is drawn and shows `target` (the chosen period label as the
# overview's bold period, or "Wijkprofiel <wijk>" as the Wijken page's subheader).
_SWITCH_DONE = """
([kind, target]) => {
  const s = window.__sdm;
  if (!s || s.click === null) return false;
  if (!s.states.some(e => e.t >= s.click && e.v === 'running')) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')) return false;
  for (const c of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    if (!c.querySelector('canvas, svg')) return false;
  }
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  if (kind === 'period') {
    if (![...main.querySelectorAll('strong')].some(e => e.textContent.trim() === target)) return false;
  } else {
    if (![...main.querySelectorAll('h3')].some(e => e.textContent.startsWith('Wijkprofiel ' + target + ' '))) return false;
  }
  return performance.now();
}
"""

# What counts as an error on a page.
_ERRORS = """
() => {
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stException"]')) out.push('exception: ' + e.textContent.slice(0, 300));
  for (const e of document.querySelectorAll('[data-testid="stAlertContentError"]')) out.push('error: ' + e.textContent.slice(0, 300));
  const t = document.body.textContent;
  if (t.includes('Traceback')) out.push('traceback in page');
  if (t.includes('Connection error') || t.includes('Is Streamlit still running')) out.push('connection error');
  return out;
}
"""

_SIDEBAR_TEXT = "() => (document.querySelector('[data-testid=\"stSidebar\"]') || document.body).textContent"


@dataclass
class Session:
    number: int
    kind: str  # "period" or "wijk"
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    shown: str = ""  # the period label or wijk name shown at the end
    final_build: bool | None = None
    final_figure: bool | None = None
    fresh_after_s: float | None = None
    load_s: float | None = None  # first page load, before the measured window
    ready: bool = False
    # Switches whose page was drawn but whose run the server never finished (ws client only; see
    # bench.stclient.RunNotFinished): not an error on the page, not a time either.
    unfinished: list[str] = field(default_factory=list)


@dataclass
class Publication:
    build_id: str
    at_s: float  # seconds after the load started
    seconds: float


@dataclass
class LoadResult:
    sessions: list[Session]
    publications: list[Publication]
    duration_s: float
    publisher_error: str | None = None
    client: str = "ws"  # which driver ran the sessions: "ws" or "browser"
    think_s: float = 0.3  # pause between one switch drawn and the next
    loadavg: tuple[float, float] | None = None  # the machine's 1-minute load at start and end

    @property
    def times(self) -> list[float]:
        return [t for s in self.sessions for t in s.times]

    def summary(self) -> dict:
        by_kind = {k: [t for s in self.sessions if s.kind == k for t in s.times] for k in ("period", "wijk")}
        return {
            "client": self.client,
            "think_s": self.think_s,
            "loadavg": self.loadavg,
            "sessions": len(self.sessions),
            "duration_s": round(self.duration_s, 1),
            "switches": len(self.times),
            "p50_s": percentile(self.times, 0.5),
            "p95_s": percentile(self.times, 0.95),
            "max_s": max(self.times) if self.times else None,
            **{f"{k}_p50_s": percentile(v, 0.5) for k, v in by_kind.items()},
            **{f"{k}_p95_s": percentile(v, 0.95) for k, v in by_kind.items()},
            "errors": [e for s in self.sessions for e in s.errors],
            "unfinished": [u for s in self.sessions for u in s.unfinished],
            "retries": sum(s.retries for s in self.sessions),
            "publications": [p.__dict__ for p in self.publications],
            "stale_sessions": [s.number for s in self.sessions if s.final_build is not True],
            "stale_figures": [s.number for s in self.sessions if s.final_figure is False],
            "fresh_after_s_max": max((s.fresh_after_s or 0.0) for s in self.sessions),
            "first_load_s_max": max((s.load_s or 0.0) for s in self.sessions),
            "publisher_error": self.publisher_error,
        }


# ------------------------------------------------------------------------------ the warehouse


def build_id_of(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select build_id from build_info").fetchone()[0]


def headline_text(warehouse: Path, period_label: str) -> str | None:
    """What the overview's waiting tile shows for the period with this label, per the file."""
    from sdmonitor import nl

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select f.waarde, coalesce(f.onderdrukt, false), i.eenheid
            from fct_indicator f join dim_indicator i using (indicator)
            join dim_periode p using (periode) join dim_gebied g using (gebied_code)
            where f.indicator = ? and f.uitsplitsing = ? and g.soort = 'gemeente'
              and coalesce(p.label, f.periode) = ?
            """,
            [*HEADLINE, period_label],
        ).fetchall()
    if not rows:
        return None
    waarde, onderdrukt, eenheid = rows[0]
    return nl.ONDERDRUKT if onderdrukt else nl.waarde(waarde, eenheid)


def variant_build_db(source_build_db: Path, out: Path, delta: float) -> Path:
    """A build database holding what publish reads from the source one, with the headline
    indicator raised by `delta` in every cell: a build whose figures visibly differ."""
    from sdmonitor.publish import LOAD_LOG, PUBLISHED_BUILD_TABLES, PUBLISHED_MARTS, QUARANTINE

    out.unlink(missing_ok=True)
    with duckdb.connect(str(out)) as con:
        con.execute(f"attach '{source_build_db}' as src (read_only)")
        for table in (*PUBLISHED_MARTS, *PUBLISHED_BUILD_TABLES, QUARANTINE, LOAD_LOG):
            con.execute(f"create table main.{table} as select * from src.main.{table}")
        con.execute("detach src")
        con.execute(
            "update fct_indicator set waarde = waarde + ? where indicator = ? and waarde is not null",
            [delta, HEADLINE[0]],
        )
    return out


def publish_in_subprocess(build_db: Path, warehouse: Path) -> str:
    """Step 5 of a build (sdmonitor.publish.publish) in its own process; return the build id."""
    build_id = datetime.now().strftime("%Y%m%dT%H%M%S.%f")
    code = (
        "import sys; from pathlib import Path; from sdmonitor.config import load_config; "
        "from sdmonitor.publish import publish; "
        "publish(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], load_config(), {})"
    )
    subprocess.run([sys.executable, "-c", code, str(build_db), str(warehouse), build_id],
                   check=True, cwd=REPO, capture_output=True, text=True, timeout=300)
    return build_id


def build_in_subprocess(exports: Path, warehouse: Path, log: Path) -> str:
    """A complete `sdmonitor build`; return the build id it published."""
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    with open(log, "a") as fh:
        subprocess.run([sys.executable, "-m", "sdmonitor.cli", "build", "--exports", str(exports),
                        "--warehouse", str(warehouse)], check=True, cwd=REPO, env=env,
                       stdout=fh, stderr=subprocess.STDOUT, timeout=1800)
    return build_id_of(warehouse)


# ------------------------------------------------------------------------------ the sessions
#
# One loop for both clients (`_load`, `_run_session`, `_final_check`); a driver does what differs:
# open a page, switch once, and read the page (build id, errors, metric values).


def _choose(options: list[str], current: str | None, session: Session, step: int) -> int | None:
    """The option a session switches to: another one than shown, never the whole gemeente."""
    choices = [i for i, t in enumerate(options) if t != current and not t.endswith("(hele gemeente)")]
    return choices[(step * 7 + session.number) % len(choices)] if choices else None


def _label(session: Session) -> str:
    return PERIOD_LABEL if session.kind == "period" else WIJK_LABEL


class BrowserDriver:
    """Headless Debian chromium through playwright, a context per session."""

    name = "browser"

    def __init__(self, base: str) -> None:
        self.base = base

    async def __aenter__(self) -> Self:
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                       headless=True)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._browser.close()
        await self._pw.stop()

    async def _combobox(self, page, label: str, timeout_s: float):
        box = page.get_by_role("combobox", name=label, exact=True).first
        await box.wait_for(state="visible", timeout=timeout_s * 1000)
        return box

    async def open(self, session: Session, timeout_s: float):
        context = await self._browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
        await context.add_init_script(_INIT_SCRIPT)
        page = await context.new_page()
        path = "/" if session.kind == "period" else "/" + WIJK_PAGE
        await page.goto(self.base + path, wait_until="commit", timeout=timeout_s * 1000)
        await page.wait_for_function(_RUN_DONE, timeout=timeout_s * 1000, polling=100)
        session.shown = (await (await self._combobox(page, _label(session), timeout_s)).input_value()).strip()
        return page

    async def switch(self, page, session: Session, step: int, timeout_s: float) -> float | None:
        """Choose another period or wijk; the seconds from the mouse-down until it is drawn."""
        from playwright.async_api import TimeoutError as PWTimeout

        label = _label(session)
        box = await self._combobox(page, label, timeout_s)
        current = (await box.input_value()).strip()
        await box.click()
        options = page.get_by_role("listbox", name=label).get_by_role("option")
        try:
            await options.first.wait_for(state="visible", timeout=10_000)
            texts = [t.strip() for t in await options.all_inner_texts()]
        except PWTimeout:  # a rerun (a new build arrived) closed the list: try again
            session.retries += 1
            await page.keyboard.press("Escape")
            return None
        target = _choose(texts, current, session, step)
        if target is None:
            await page.keyboard.press("Escape")
            session.errors.append(f"session {session.number}: no other option than {current!r}")
            return None
        await page.evaluate("window.__sdm.click = null; window.__sdm.states = []")
        try:
            await options.nth(target).click(timeout=5_000)
        except PWTimeout:
            session.retries += 1
            await page.keyboard.press("Escape")
            return None
        seconds = None
        try:
            handle = await page.wait_for_function(_SWITCH_DONE, arg=[session.kind, texts[target]],
                                                  timeout=timeout_s * 1000, polling=100)
            end = await handle.json_value()
            start = await page.evaluate("window.__sdm.click")
            seconds = (end - start) / 1000.0
            session.shown = texts[target]
        except PWTimeout:
            session.errors.append(f"session {session.number}: {texts[target]!r} not drawn within "
                                  f"{timeout_s:.0f} s")
        session.errors.extend(f"session {session.number}: {e}" for e in await self.errors(page))
        return seconds

    async def shows_build(self, page, build_id: str) -> bool:
        state = await page.evaluate(
            "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')")
        stale = await page.locator('[data-testid="stElementContainer"][data-stale="true"]').count()
        return build_id in await page.evaluate(_SIDEBAR_TEXT) and state == "notRunning" and not stale

    async def build_text(self, page) -> str:
        return await page.evaluate(_SIDEBAR_TEXT)

    async def errors(self, page) -> list[str]:
        return await page.evaluate(_ERRORS)

    async def metric_values(self, page) -> list[str]:
        return [t.strip() for t in await page.locator('[data-testid="stMetricValue"]').all_inner_texts()]

    async def alive(self, page) -> bool:
        return not page.is_closed()

    async def close(self, page) -> None:
        await page.context.close()


def _ws_shows(kind: str, target: str, texts: list[str]) -> bool:
    """The run shows `target`: the overview's bold period line, or the Wijken page's profile
    subheader (what _SWITCH_DONE looks for in the browser)."""
    if kind == "period":
        return any(t.startswith(f"**{target}**") for t in texts)
    return any(t.startswith(f"Wijkprofiel {target} ") for t in texts)


class WebsocketDriver:
    """Streamlit's own websocket protocol without a browser (bench/stclient.py), a connection
    per session: the same messages a browser sends, none of its rendering cost."""

    name = "ws"

    def __init__(self, base: str) -> None:
        self.base = base

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc) -> None:
        pass

    async def open(self, session: Session, timeout_s: float) -> StreamlitSession:
        client = StreamlitSession(self.base, "" if session.kind == "period" else WIJK_PAGE)
        await client.connect()
        try:
            await client.open_page(timeout=timeout_s)
        except RunNotFinished as exc:  # the page is there, its run never ended (see Session)
            session.unfinished.append(f"session {session.number} (first page): {exc}")
        box = client.selectbox(_label(session))
        if box is None:
            raise RuntimeError(f"no selectbox {_label(session)!r} on the page")
        session.shown = box[2] or ""
        return client

    async def switch(self, client: StreamlitSession, session: Session, step: int,
                     timeout_s: float) -> float | None:
        """Choose another period or wijk; the seconds from sending the rerun to its
        script_finished (the run that shows the choice)."""
        box = client.selectbox(_label(session))
        if box is None:
            session.errors.append(f"session {session.number}: no selectbox {_label(session)!r} on the page")
            return None
        widget, options, current = box
        target = _choose(options, current, session, step)
        if target is None:
            session.errors.append(f"session {session.number}: no other option than {current!r}")
            return None
        chosen = options[target]
        sent, mark = time.monotonic(), client.mark()
        seconds = None
        try:
            run = await client.rerun({widget: chosen}, timeout=timeout_s,
                                     accept=lambda r: _ws_shows(session.kind, chosen, client.texts(r)))
            seconds = run.finished - sent
            session.shown = chosen
        except RunNotFinished as exc:
            session.shown = chosen
            session.unfinished.append(f"session {session.number}: {chosen!r}: {exc}; since the request: "
                                      f"{client.events_since(mark)}")
        except TimeoutError:
            drawn = "drawn but" if _ws_shows(session.kind, chosen, client.texts()) else "not drawn,"
            session.errors.append(f"session {session.number}: {chosen!r} {drawn} no finished run within "
                                  f"{timeout_s:.0f} s; since the request: {client.events_since(mark)}")
        session.errors.extend(f"session {session.number}: {e}" for e in await self.errors(client))
        return seconds

    async def shows_build(self, client: StreamlitSession, build_id: str) -> bool:
        if client.closed is not None:
            raise SessionClosed(client.closed)
        return not client.running and any(build_id in t for t in client.texts())

    async def build_text(self, client: StreamlitSession) -> str:
        return " | ".join(t for t in client.texts() if "build" in t)

    async def errors(self, client: StreamlitSession) -> list[str]:
        found, client.errors[:] = list(client.errors), []
        return found

    async def metric_values(self, client: StreamlitSession) -> list[str]:
        return [e.metric.body.strip() for e in client.elements("metric")]

    async def alive(self, client: StreamlitSession) -> bool:
        return client.closed is None

    async def close(self, client: StreamlitSession) -> None:
        await client.close()


DRIVERS = {"ws": WebsocketDriver, "browser": BrowserDriver}


async def _run_session(driver, session: Session, go: asyncio.Event, stop: asyncio.Event,
                       timeout_s: float, think_s: float):
    opened = time.monotonic()
    handle = await driver.open(session, timeout_s)
    session.load_s = time.monotonic() - opened
    session.ready = True
    await go.wait()  # every session has its page: the measured window starts together
    step = 0
    while not stop.is_set():
        try:
            seconds = await driver.switch(handle, session, step, timeout_s)
            if seconds is not None:
                session.times.append(seconds)
        except Exception as exc:  # noqa: BLE001 - a broken session is an error of the run, not a crash
            session.errors.append(f"session {session.number}: {type(exc).__name__}: {str(exc)[:300]}")
            if not await driver.alive(handle):
                break
            await asyncio.sleep(1)
        step += 1
        await asyncio.sleep(think_s)
    return handle


async def _final_check(driver, handle, session: Session, build_id: str, warehouse: Path,
                       timeout_s: float) -> None:
    """After the last publication: the open page picks up the last build by itself (the
    dashboard's fragment reruns it within seconds), and one more switch still shows it; on the
    overview that page shows the last build's figure for the period it shows."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if await driver.shows_build(handle, build_id):
            session.fresh_after_s = time.monotonic() - started
            break
        await asyncio.sleep(0.25)
    else:
        session.final_build = False
        session.errors.append(f"session {session.number} (end): not on build {build_id} after "
                              f"{timeout_s:.0f} s; shows: ...{(await driver.build_text(handle))[-160:]}")
        return
    # One more switch, not counted in the load figures.
    await driver.switch(handle, session, -1, timeout_s)
    session.final_build = await driver.shows_build(handle, build_id)
    if not session.final_build:
        session.errors.append(f"session {session.number} (end): after one more switch not on build "
                              f"{build_id}; shows: ...{(await driver.build_text(handle))[-160:]}")
    session.errors.extend(f"session {session.number} (end): {e}" for e in await driver.errors(handle))
    if session.kind == "period" and session.final_build:
        expected = headline_text(warehouse, session.shown)
        if expected is not None:
            session.final_figure = expected in await driver.metric_values(handle)


async def _load(driver, warehouse: Path, sessions: int, duration_s: float,
                publisher: Callable[[Callable[[Publication], None]], None], after_last_s: float,
                timeout_s: float, think_s: float) -> LoadResult:
    result = LoadResult([Session(i, "period" if i % 2 == 0 else "wijk") for i in range(sessions)], [],
                        0.0, client=driver.name, think_s=think_s)
    async with driver:
        go, stop = asyncio.Event(), asyncio.Event()
        tasks = [asyncio.create_task(_run_session(driver, s, go, stop, timeout_s, think_s))
                 for s in result.sessions]
        while not all(s.ready or t.done() for s, t in zip(result.sessions, tasks)):
            await asyncio.sleep(0.2)
        go.set()
        started, load_at_start = time.monotonic(), os.getloadavg()[0]
        published = threading.Event()

        def publish_all() -> None:
            try:
                publisher(result.publications.append)
            except Exception as exc:  # noqa: BLE001 - reported in the result
                result.publisher_error = f"{type(exc).__name__}: {exc}"[:1000]
            finally:
                published.set()

        thread = threading.Thread(target=publish_all, daemon=True)
        thread.start()
        last = None
        while True:  # a session that failed is reported at the end; the others go on
            await asyncio.sleep(0.5)
            if published.is_set() and last is None:
                last = time.monotonic()
            if (last is not None and time.monotonic() - started >= duration_s
                    and time.monotonic() - last >= after_last_s):
                break
        stop.set()
        result.duration_s = time.monotonic() - started
        result.loadavg = (load_at_start, os.getloadavg()[0])
        handles = []
        for s, t in zip(result.sessions, tasks):
            try:
                handles.append(await t)
            except Exception as exc:  # noqa: BLE001
                s.errors.append(f"session {s.number} did not run: {type(exc).__name__}: {str(exc)[:300]}")
                handles.append(None)
        final_id = build_id_of(warehouse)

        async def check(handle, s: Session) -> None:
            try:
                await _final_check(driver, handle, s, final_id, warehouse, timeout_s=min(timeout_s, 240))
            except Exception as exc:  # noqa: BLE001
                s.final_build = False
                s.errors.append(f"session {s.number} (end): {type(exc).__name__}: {str(exc)[:300]}")

        await asyncio.gather(*[check(h, s) for h, s in zip(handles, result.sessions) if h is not None])
        for h in handles:
            if h is not None:
                await driver.close(h)
    return result


def run_load(warehouse: Path, publisher: Callable[[Callable[[Publication], None]], None], *,
             sessions: int = 20, duration_s: float = 60.0, after_last_s: float = 8.0,
             timeout_s: float = 300.0, think_s: float = 0.3, client: str = "ws",
             log_dir: Path = DEFAULT_WORK) -> LoadResult:
    """Serve `warehouse` with `sdmonitor dashboard`, run the sessions (`client` "ws" or
    "browser"), let `publisher` publish."""
    log_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    proc, _ = start_server(warehouse, port, log_dir / f"dashboard_{port}.log")
    try:
        driver = DRIVERS[client](f"http://127.0.0.1:{port}")
        return asyncio.run(_load(driver, warehouse, sessions, duration_s, publisher, after_last_s,
                                 timeout_s, think_s))
    finally:
        stop_server(proc)


def timed(started: float, record: Callable[[Publication], None], action: Callable[[], str]) -> None:
    t0 = time.monotonic()
    build_id = action()
    record(Publication(build_id, round(t0 - started, 1), round(time.monotonic() - t0, 1)))


# ------------------------------------------------------------------------------ the report


_CLIENT_TEXT = {
    "ws": (("as websocket clients (`bench/stclient.py`: Streamlit's own protocol, the messages a "
            "browser sends, without a browser; one connection per session)"),
           ("Page update = from sending the new choice (a rerun with the new widget value) to the "
            "`script_finished` message of the run that shows the chosen period or wijk: the server's "
            "time, including sending every element. Drawing in a real browser (charts) comes on top "
            "and is not measured here.")),
    "browser": ("in one headless Chromium (each its own context)",
                ("Page update = from the click on the new choice to the recomputed page drawn (in the "
                 "page's clock).")),
}


def render(summary: dict, scale: float, sessions: int, first_build_s: float | None = None) -> str:
    def s(v) -> str:
        return "–" if v is None else f"{v:.2f} s"

    def n(v: float) -> str:
        return f"{v:.1f}"

    client = summary.get("client", "browser")
    who, what = _CLIENT_TEXT[client]
    pubs = ", ".join(f"{p['build_id']} after {p['at_s']:.0f} s (build {p['seconds']:.0f} s)"
                     for p in summary["publications"])
    lines = [
        START,
        "## Load: concurrent sessions while new builds publish",
        "",
        (f"Measured with `python -m bench.load --client {client}` on {datetime.now():%Y-%m-%d %H:%M} "
         f"({os.cpu_count()} cores, one Streamlit process): {sessions} sessions {who}; half switch the "
         f"period on the overview, half the wijk on the Wijken page, each {n(summary.get('think_s', 0.3))} s "
         f"after its previous switch, for {summary['duration_s']:.0f} s, while two complete builds "
         f"(scale {scale:g}) publish into the same file. {what}"),
        "",
        "| figure | p50 | p95 | max | switches |",
        "|---|---|---|---|---|",
        f"| all switches | {s(summary['p50_s'])} | {s(summary['p95_s'])} | {s(summary['max_s'])} | {summary['switches']} |",
        f"| period (overview) | {s(summary['period_p50_s'])} | {s(summary['period_p95_s'])} | | |",
        f"| wijk (Wijken) | {s(summary['wijk_p50_s'])} | {s(summary['wijk_p95_s'])} | | |",
        "",
        (f"Errors on a page (exception, error alert, dropped connection): {len(summary['errors'])}. "
         f"Sessions not showing the new build after the last publication: "
         f"{len(summary['stale_sessions'])}; showing a stale figure: {len(summary['stale_figures'])}. "
         f"Every session showed the new build by itself within {n(summary['fresh_after_s_max'])} s of the "
         f"end of the load, and still after one more switch. First page (before the measurement, all "
         f"sessions at once): at most {n(summary['first_load_s_max'])} s. Publications: {pubs}"
         + (f"; the first build beforehand, without sessions: {first_build_s:.0f} s" if first_build_s else "")
         + "."
         + (" Machine load (1-minute load average, other processes included) at start and end: "
            f"{n(summary['loadavg'][0])} and {n(summary['loadavg'][1])}." if summary.get("loadavg") else "")),
    ]
    if summary["errors"]:
        lines += ["", "First errors: " + "; ".join(f"`{e[:160]}`" for e in summary["errors"][:3]) + "."]
    if summary.get("unfinished"):
        lines += ["", (f"Unfinished runs: for {len(summary['unfinished'])} switches (besides the measured "
                       "ones) the run drew the chosen period or wijk, but the server never sent the end of "
                       "that run (`script_finished`) nor its last messages; they count neither in the times "
                       "nor as errors. The server's debug log (Streamlit 1.67) shows \"Ignoring event from "
                       "non-current ScriptRunner: SCRIPT_STOPPED_WITH_SUCCESS\" at such moments: a rerun of "
                       "the fragment `queries._nieuwe_build` (every 3 s per session) started a new "
                       "ScriptRunner before the server had handled the previous run's last events, and the "
                       "session dropped them. In a browser the page's last elements of the previous choice "
                       "then stay until the next full run. See `bench/stclient.py` (RunNotFinished).")]
    if summary.get("publisher_error"):
        lines += ["", f"Publishing failed: `{summary['publisher_error'][:300]}`."]
    if sessions < 20:
        lines += ["", f"The target is 20 sessions; this was measured with {sessions}."
                  + (" With 20 Chromium sessions on 2 cores no session got through its first page "
                     "(the browsers take the processor); use `--client ws` for that." if client == "browser" else "")]
    lines.append(END)
    return "\n".join(lines)


def write_section(out: Path, section: str) -> None:
    """Replace the block between the markers (or append it), leaving the rest of the file."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--client", choices=sorted(DRIVERS), default="ws",
                        help="ws: Streamlit's websocket protocol without a browser; browser: headless chromium")
    parser.add_argument("--think", type=float, default=0.3, help="seconds between a switch drawn and the next")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds a first page or a switch may take before it counts as an error")
    args = parser.parse_args(argv)
    from sdmonitor.generate import generate

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    exports = []
    for seed in (2025, 2026, 2027):
        folder = work / f"exports_{args.scale:g}_{seed}"
        if not (folder / ".complete").exists():
            generate(folder, scale=args.scale, seed=seed)
            (folder / ".complete").write_text("")
        exports.append(folder)
    warehouse = work / "monitor.duckdb"
    log = work / "builds.log"
    print(f"eerste build (schaal {args.scale:g}) ...", flush=True)
    t0 = time.monotonic()
    build_in_subprocess(exports[0], warehouse, log)
    first_build_s = time.monotonic() - t0

    def publisher(record: Callable[[Publication], None]) -> None:
        started = time.monotonic()
        time.sleep(5)
        for folder in exports[1:]:
            timed(started, record, lambda f=folder: build_in_subprocess(f, warehouse, log))
            print(f"gepubliceerd: {result_ids(record)}", flush=True)

    def result_ids(_record) -> str:
        return build_id_of(warehouse)

    print(f"{args.sessions} sessions ({args.client}), at least {args.duration:.0f} s ...", flush=True)
    result = run_load(warehouse, publisher, sessions=args.sessions, duration_s=args.duration,
                      think_s=args.think, timeout_s=args.timeout, client=args.client, log_dir=work)
    summary = result.summary()
    (work / "load_result.json").write_text(json.dumps(summary, indent=2, default=str))
    write_section(args.out, render(summary, args.scale, args.sessions, first_build_s))
    print(json.dumps(summary, indent=2, default=str))
    ok = not summary["errors"] and not summary["stale_sessions"] and not summary["stale_figures"] \
        and not summary["publisher_error"] and len(summary["publications"]) == 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
