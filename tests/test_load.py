"""Load held (issue 8), CI version of bench/load.py, and its websocket client (bench/stclient.py).

Sessions against one `sdmonitor dashboard`: half switch the period on the overview, half the
wijk on the Wijken page, while the publish step (sdmonitor.publish.publish, in its own process)
swaps in a new build twice, each with visibly different figures. No page may show an error or
lose its connection, and after the last swap every session must show the last build: its build
id, and on the overview its figure for the period that session shows.

* The websocket client (Streamlit's own protocol, no browser) runs the issue's 20 sessions
  (SDM_LOAD_SESSIONS, SDM_LOAD_SECONDS to change that): cheap on the client side, so on a 2-core
  machine this measures the server. A switch whose page was drawn but whose run the server
  never finished (a Streamlit 1.67 race, bench.stclient.RunNotFinished) is reported as a
  warning, not an error.
* The browser client (headless Debian chromium) runs 2 sessions, to keep that mode of
  bench/load.py working; 20 chromium sessions do not get through their first page on 2 cores.

The full one-minute version with two complete builds is `python -m bench.load` (results in
docs/performance.md).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
import warnings
from pathlib import Path

import pytest

SESSIONS = int(os.environ.get("SDM_LOAD_SESSIONS", "20"))
SECONDS = float(os.environ.get("SDM_LOAD_SECONDS", "25"))
BROWSER_SESSIONS = int(os.environ.get("SDM_LOAD_BROWSER_SESSIONS", "2"))


@pytest.fixture()
def swaps(demo_warehouse, tmp_path):
    """A copy of the demo warehouse and two build databases whose figures differ from it."""
    from bench.load import variant_build_db
    from sdmonitor.build import build_dir_for

    warehouse = tmp_path / "monitor.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    source = build_dir_for(demo_warehouse) / "build.duckdb"
    builds = [variant_build_db(source, tmp_path / f"build_{i}.duckdb", delta=1000.0 * i) for i in (1, 2)]
    return warehouse, builds


def _load(warehouse: Path, builds: list[Path], tmp_path: Path, client: str, sessions: int,
          seconds: float):
    from bench.load import build_id_of, publish_in_subprocess, run_load, timed

    def publisher(record) -> None:
        started = time.monotonic()
        for build_db in builds:
            time.sleep(seconds / 5)
            timed(started, record, lambda db=build_db: publish_in_subprocess(db, warehouse))

    result = run_load(warehouse, publisher, sessions=sessions, duration_s=seconds,
                      after_last_s=seconds / 4, timeout_s=300, client=client, log_dir=tmp_path)
    summary = result.summary()
    print(json.dumps(summary, indent=2, default=str))

    assert summary["client"] == client
    assert summary["publisher_error"] is None
    assert [p["build_id"] for p in summary["publications"]] and len(summary["publications"]) == 2
    assert build_id_of(warehouse) == summary["publications"][-1]["build_id"]
    assert not summary["errors"], summary["errors"][:10]
    if summary.get("unfinished"):
        # A Streamlit 1.67 race (bench.stclient.RunNotFinished): the page was drawn, the server
        # never finished the run. Reported, not failed: it is in Streamlit's session handling,
        # triggered by the dashboard's 3-second fragment (see docs/performance.md).
        with warnings.catch_warnings():  # an imported library may have silenced warnings
            warnings.simplefilter("always")
            warnings.warn(f"{len(summary['unfinished'])} runs drew the page but never finished: "
                          f"{summary['unfinished'][0][:300]}", stacklevel=1)
    assert len([s for s in result.sessions if s.times]) == sessions, "every session switched at least once"
    assert not summary["stale_sessions"], f"sessions still on an older build: {summary['stale_sessions']}"
    assert not summary["stale_figures"], f"overview with an older figure: {summary['stale_figures']}"
    checked = [s for s in result.sessions if s.final_figure]
    assert checked, "no overview session could be checked on its figure"


def test_websocket_sessions_switching_while_two_builds_publish(swaps, tmp_path):
    warehouse, builds = swaps
    _load(warehouse, builds, tmp_path, "ws", SESSIONS, SECONDS)


@pytest.mark.browser
def test_browser_sessions_switching_while_two_builds_publish(swaps, tmp_path):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium ontbreekt (/usr/bin/chromium); installeer met `make browser`")
    pytest.importorskip("playwright")
    warehouse, builds = swaps
    _load(warehouse, builds, tmp_path, "browser", BROWSER_SESSIONS, 10.0)


def test_protocol_client_against_the_dashboard(swaps, tmp_path):
    """The websocket client opens both pages, switches, reads what they show, and follows a new
    build through the dashboard's own auto-rerun (the fragment timer), like a browser."""
    from bench.dashboard import _free_port, start_server, stop_server
    from bench.load import build_id_of, headline_text, publish_in_subprocess
    from bench.stclient import StreamlitSession

    warehouse, builds = swaps
    first = build_id_of(warehouse)

    async def scenario(base: str) -> None:
        async with StreamlitSession(base) as overview, StreamlitSession(base, page="wijken") as wijken:
            await overview.open_page(timeout=120)
            await wijken.open_page(timeout=120)
            assert not overview.errors and not wijken.errors
            assert any(first in t for t in overview.texts()), "the sidebar names the build"

            widget, periods, shown = overview.selectbox("Periode")
            assert shown in periods and len(periods) > 1
            target = next(p for p in periods if p != shown)
            run = await overview.rerun({widget: target}, timeout=60)
            assert run.full and run.succeeded and not run.errors
            assert any(t.startswith(f"**{target}**") for t in overview.texts(run)), overview.texts(run)[:5]
            assert overview.selectbox("Periode")[2] == target
            assert "periode=" in overview.query_string, "the dashboard wrote the choice into the address"
            assert headline_text(warehouse, target) in [e.metric.body for e in overview.elements("metric")]

            widget, wijk_names, shown = wijken.selectbox("Wijkprofiel")
            assert shown.endswith("(hele gemeente)")
            run = await wijken.rerun({widget: wijk_names[1]}, timeout=60)
            assert any(t.startswith(f"Wijkprofiel {wijk_names[1]} ") for t in wijken.texts(run))
            assert "wijk=" in wijken.query_string

            # A new build: no request from the client, the fragment's timer brings it.
            new = await asyncio.to_thread(publish_in_subprocess, builds[0], warehouse)
            after = time.monotonic()
            for session in (overview, wijken):
                await session.wait_for_run(after, timeout=60, accept=lambda r, s=session: any(
                    new in t for t in s.texts(r)))
                assert session.selectbox("Wijkprofiel" if session is wijken else "Periode")[2] in (
                    target, wijk_names[1]), "the choice survives the new build"
            assert overview.fragment_runs and wijken.fragment_runs, "the fragment timer ran"
            assert not overview.errors and not wijken.errors and overview.closed is None

    port = _free_port()
    proc, _ = start_server(warehouse, port, tmp_path / "dashboard.log")
    try:
        asyncio.run(scenario(f"http://127.0.0.1:{port}"))
    finally:
        stop_server(proc)
