"""Dashboard timing in headless Chromium: first chart on the overview, and switches.

Starts `sdmonitor dashboard --warehouse FILE --port P` as a subprocess (its own process group,
stopped by its id afterwards) and drives Debian's chromium with playwright (never `playwright
install`: that downloads a browser and fails offline).

Measured, all in the page's own clock (performance.now(), so no CDP round trips in the figures):
* first chart: from navigation start to the first Altair chart (vega-embed canvas/svg) drawn
  on the overview; and overview complete: to the end of the page's first script run with every
  element mounted (no loading skeleton), every chart drawn and nothing stale. `cold` is the
  first visit after the server started (script compiled, query cache empty); `warm` the median
  of later visits in fresh browser contexts.
* switches: from the click on a new option in a selectbox (sidebar "Periode"; "Wijkprofiel" on
  the Wijken page) to the moment the rerun has finished: the app's script state went to running
  and back to notRunning, no element is stale or still loading any more and every chart on the
  page has drawn.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
PERIOD_LABEL = "Periode"  # the sidebar selectbox (dashboard/app.py)
WIJK_PAGE = "wijken"  # url path of the Wijken page
WIJK_LABEL = "Wijkprofiel"  # its wijk selectbox (dashboard/components.py)
CHART = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg, .vega-embed canvas, .vega-embed svg'

# Records the app's script-state transitions and the last click, in the page's clock.
_INIT_SCRIPT = """
(() => {
  const s = window.__sdm = {states: [], click: null, firstChart: null};
  document.addEventListener('mousedown', () => { s.click = performance.now(); }, true);
  const watch = () => {
    if (s.firstChart === null) {
      const c = document.querySelector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg');
      if (c && c.getBoundingClientRect().width > 0) s.firstChart = performance.now();
      else requestAnimationFrame(watch);
    }
  };
  requestAnimationFrame(watch);
  new MutationObserver((muts) => {
    for (const m of muts) {
      const v = m.target.getAttribute && m.target.getAttribute('data-test-script-state');
      if (v) s.states.push({v, t: performance.now()});
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
})();
"""

# An element whose code Streamlit still loads (its chunk is fetched on first use: charts, tables,
# metrics, ...) stands as a skeleton; a chart in that state has no stVegaLiteChart yet, so without
# this check "every chart drawn" held trivially while the overview's chart was still loading.
# Returns performance.now() once the first script run of a page load has finished and drawn.
_RUN_DONE = """
() => {
  const s = window.__sdm;
  if (!s || !s.states.some(e => e.v === 'running')) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')) return false;
  if (document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  for (const c of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    if (!c.querySelector('canvas, svg')) return false;
  }
  return performance.now();
}
"""

# Returns performance.now() once the rerun after the last click has finished and drawn.
_RERUN_DONE = """
() => {
  const s = window.__sdm;
  if (!s || s.click === null) return false;
  if (!s.states.some(e => e.t >= s.click && e.v === 'running')) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  for (const c of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    if (!c.querySelector('canvas, svg')) return false;
  }
  return performance.now();
}
"""


def chromium_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists()


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between order statistics (numpy's default)."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sdmonitor() -> list[str]:
    exe = Path(sys.executable).with_name("sdmonitor")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("sdmonitor")
    return [found] if found else [sys.executable, "-m", "sdmonitor.cli"]


def start_server(warehouse: Path, port: int, log: Path) -> tuple[subprocess.Popen, float]:
    """Start the dashboard; return the process and the seconds until it answered its health check."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [*_sdmonitor(), "dashboard", "--warehouse", str(warehouse), "--port", str(port)],
            stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "GX_ANALYTICS_ENABLED": "False"},
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard stopped at start (exit {proc.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError(f"dashboard did not answer on port {port} within 90 s; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server we started: its own process group, by its id."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=15)


def _first_chart(browser, url: str, timeout_ms: int) -> dict:
    """Seconds from navigation start to the first chart drawn, and to the first run complete."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(_INIT_SCRIPT)
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        complete = page.wait_for_function(_RUN_DONE, timeout=timeout_ms, polling="raf").json_value()
        first = page.evaluate("window.__sdm.firstChart")
        if first is None:  # charts may still be drawing after the script run ended
            try:
                page.wait_for_selector(CHART, state="visible", timeout=3000)
                first = page.evaluate("window.__sdm.firstChart") or page.evaluate("performance.now()")
            except Exception:  # noqa: BLE001 - a page without charts
                first = None
        return {"chart_s": None if first is None else first / 1000.0, "complete_s": complete / 1000.0}
    finally:
        context.close()


def _combobox(page, label: str):
    box = page.get_by_role("combobox", name=label, exact=True).first
    box.wait_for(state="visible", timeout=30_000)
    return box


def _switch_times(page, label: str, switches: int, timeout_ms: int) -> list[float]:
    """Pick a different option `switches` times; seconds from click to the rerun drawn."""
    times = []
    for i in range(switches):
        box = _combobox(page, label)
        current = box.input_value()
        box.click()
        options = page.get_by_role("listbox", name=label).get_by_role("option")
        options.first.wait_for(state="visible", timeout=10_000)
        texts = [t.strip() for t in options.all_inner_texts()]
        choices = [j for j, t in enumerate(texts) if t != current]
        if not choices:
            page.keyboard.press("Escape")
            raise RuntimeError(f"selectbox '{label}' has no other option than {current!r}")
        target = choices[i % len(choices)]
        page.evaluate("window.__sdm.click = null; window.__sdm.states = []")
        options.nth(target).click()
        end = page.wait_for_function(_RERUN_DONE, timeout=timeout_ms, polling="raf").json_value()
        start = page.evaluate("window.__sdm.click")
        times.append((end - start) / 1000.0)
    return times


def measure_dashboard(warehouse: Path, log_dir: Path, switches: int = 12, warm_loads: int = 3,
                      timeout_s: float = 60.0) -> dict:
    """All dashboard figures for one warehouse; errors are reported per figure, not raised."""
    from playwright.sync_api import sync_playwright

    timeout_ms = int(timeout_s * 1000)
    port = _free_port()
    result: dict = {"port": port, "errors": {}}
    proc, result["server_start_s"] = start_server(warehouse, port, log_dir / f"dashboard_{port}.log")
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                try:
                    cold = _first_chart(browser, base + "/", timeout_ms)
                    result["first_chart_cold_s"] = cold["chart_s"]
                    result["overview_complete_cold_s"] = cold["complete_s"]
                    warm = [_first_chart(browser, base + "/", timeout_ms) for _ in range(warm_loads)]
                    result["first_chart_warm_runs_s"] = [w["chart_s"] for w in warm]
                    charts = [w["chart_s"] for w in warm if w["chart_s"] is not None]
                    result["first_chart_warm_s"] = statistics.median(charts) if charts else None
                    result["overview_complete_warm_s"] = statistics.median(w["complete_s"] for w in warm)
                    if cold["chart_s"] is None:
                        result["errors"]["first_chart"] = "no Altair chart on the overview"
                except Exception as exc:  # noqa: BLE001 - a figure we could not take is reported
                    result["errors"]["first_chart"] = f"{type(exc).__name__}: {exc}"[:500]
                for name, path, label in (("period", "/", PERIOD_LABEL),
                                          ("wijk", "/" + WIJK_PAGE, WIJK_LABEL)):
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    context.add_init_script(_INIT_SCRIPT)
                    try:
                        page = context.new_page()
                        page.goto(base + path, wait_until="commit")
                        page.wait_for_function(_RUN_DONE, timeout=timeout_ms, polling="raf")
                        times = _switch_times(page, label, switches, timeout_ms)
                        result[f"{name}_switch_runs_s"] = times
                        result[f"{name}_switch_p50_s"] = percentile(times, 0.5)
                        result[f"{name}_switch_p95_s"] = percentile(times, 0.95)
                    except Exception as exc:  # noqa: BLE001
                        result["errors"][f"{name}_switch"] = f"{type(exc).__name__}: {exc}"[:500]
                    finally:
                        context.close()
            finally:
                browser.close()
    finally:
        stop_server(proc)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(measure_dashboard(Path(sys.argv[1]), Path("bench/out")), indent=2))
