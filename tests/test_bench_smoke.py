"""The benchmark harness runs end to end at a small scale, so it cannot rot unnoticed.

`python -m bench.run --scales 0.1 --runs 1` generates exports, runs the real build and the
baseline script in measured subprocesses, times the dashboard in headless Chromium (skipped only
when chromium is absent) and writes the report. The baseline is a second implementation of
fct_indicator, so it must agree with the build on the gemeente-level cells checked below.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
GEMEENTE = "GM0150"

pytestmark = pytest.mark.slow


def chromium_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path("/usr/bin/chromium").exists()


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("bench")
    cmd = [
        sys.executable, "-m", "bench.run", "--scales", "0.1", "--runs", "1", "--switches", "3", "--warm-loads", "1",
        "--out", str(tmp / "performance.md"), "--work", str(tmp / "work"),
        "--results", str(tmp / "results"),
    ]
    if not chromium_available():
        cmd.append("--skip-dashboard")
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(next((tmp / "results").glob("bench-*.json")).read_text())
    return {"report": (tmp / "performance.md").read_text(), "results": results,
            "dashboard_run": "--skip-dashboard" not in cmd}


def _table_row(report: str, label: str) -> str:
    row = next((line for line in report.splitlines() if line.startswith(f"| {label}")), None)
    assert row is not None, f"no row '{label}' in the report"
    return row


def _number(cell: str) -> float:
    m = re.search(r"-?\d[\d ]*(?:\.\d+)?", cell)
    assert m, f"no number in {cell!r}"
    return float(m.group(0).replace(" ", ""))


def test_report_has_the_table_with_numeric_figures(bench_run):
    report = bench_run["report"]
    assert "## Machine" in report and "## Results" in report and "| scale 0.1 |" in report
    for label in ("**build, total**", "&nbsp;&nbsp;land", "&nbsp;&nbsp;dbt build",
                  "&nbsp;&nbsp;publish", "build peak RSS", "**baseline**", "**build / baseline**",
                  "**rebuild, exports unchanged**", "**rebuild / baseline**"):
        cell = _table_row(report, label).split("|")[2]
        assert _number(cell) > 0, f"{label}: {cell}"
    if bench_run["dashboard_run"]:
        for label in ("overview complete, first visit / later visits", "period switch p50 / p95",
                      "wijk switch p50 / p95"):
            cell = _table_row(report, label).split("|")[2]
            assert _number(cell) > 0, f"{label}: {cell}"
        # an overview without any Altair chart is reported as such, not as a number
        cell = _table_row(report, "first chart on the overview, first visit").split("|")[2]
        assert cell.strip() == "no chart" or _number(cell) > 0, cell


def test_raw_results_are_measured_per_run(bench_run):
    scale = bench_run["results"]["scales"][0]
    build, baseline = scale["builds"][0], scale["baselines"][0]
    assert set(build["steps"]) >= {"land", "validate_sources", "dbt", "validate_marts", "publish"}
    assert build["wall_s"] >= sum(build["steps"].values()) > 0
    assert build["peak_rss_mb"] > 50 and baseline["peak_rss_mb"] > 20
    assert scale["median"]["ratio"] > 0
    assert scale["rows"]["read"] > 0 and scale["rows"]["fct_indicator"] > 0
    if bench_run["dashboard_run"]:
        dash = scale["dashboard"]
        errors = {k: v for k, v in dash["errors"].items() if v != "no Altair chart on the overview"}
        assert not errors, errors
        assert dash["overview_complete_cold_s"] > 0 and dash["overview_complete_warm_s"] > 0
        assert len(dash["period_switch_runs_s"]) == 3 and len(dash["wijk_switch_runs_s"]) == 3


def test_a_build_validates_everything_and_the_rebuild_reuses_it(bench_run):
    scale = bench_run["results"]["scales"][0]
    build, rebuild = scale["builds"][0], scale["rebuilds"][0]
    build_log = Path(build["warehouse"]).with_name("build_1.log").read_text()
    rebuild_log = Path(rebuild["warehouse"]).with_name("rebuild_1.log").read_text()
    assert "hergebruikt" not in build_log
    assert "ongewijzigde delen van eerdere builds hergebruikt" in rebuild_log
    assert set(rebuild["steps"]) == set(build["steps"])


def test_the_population_grows_with_the_scale(bench_run):
    """Scale 0.1 has a tenth of Deventer's volumes, so the build divides by a tenth of its inhabitants."""
    from sdmonitor.config import load_config

    scaled = load_config(Path(bench_run["results"]["scales"][0]["builds"][0]["warehouse"]).with_name("gemeente.toml"))
    assert _inwoners(scaled.wijken_csv) == pytest.approx(_inwoners(load_config().wijken_csv) / 10, abs=20)


def _inwoners(wijken_csv: Path) -> int:
    return sum(int(line.split(";")[2]) for line in wijken_csv.read_text(encoding="utf-8").splitlines()[1:])


def _gemeente_cells(db: str, table: str, indicator: str) -> dict:
    with duckdb.connect(db, read_only=True) as con:
        rows = con.execute(
            f"select periode, uitsplitsing, waarde, teller, noemer, onderdrukt from {table} "
            "where indicator = ? and gebied_code = ?",
            [indicator, GEMEENTE],
        ).fetchall()
    return {(r[0], r[1] or ""): r[2:] for r in rows}


@pytest.mark.parametrize(
    "indicator", ["pct_voorliggend", "maatwerk_per_1000", "pct_jeugd_met_jeugdhulp", "wachtend",
                  "pct_binnen_termijn", "cohort_18"],
)
def test_baseline_agrees_with_the_build_on_gemeente_cells(bench_run, indicator):
    scale = bench_run["results"]["scales"][0]
    build = _gemeente_cells(scale["builds"][-1]["warehouse"], "main.fct_indicator", indicator)
    baseline = _gemeente_cells(scale["baselines"][-1]["db"], "fct_indicator", indicator)
    assert build, f"the build has no {indicator} cells"
    assert baseline.keys() == build.keys()
    if indicator in ("wachtend", "pct_binnen_termijn"):
        stages = {u for _, u in build}
        assert len(stages) == (6 if indicator == "wachtend" else 5), stages
    for key, (waarde, teller, noemer, onderdrukt) in build.items():
        b_waarde, b_teller, b_noemer, b_onderdrukt = baseline[key]
        assert b_onderdrukt == onderdrukt, (indicator, key)
        for got, want in ((b_waarde, waarde), (b_teller, teller), (b_noemer, noemer)):
            assert (got is None) == (want is None), (indicator, key, got, want)
            if want is not None:
                assert got == pytest.approx(want, rel=1e-9, abs=1e-9), (indicator, key)


def test_harness_summary_counts_agreement(bench_run):
    cmp = bench_run["results"]["scales"][0]["comparison"]
    assert cmp["checked_cells"] > 0
    assert cmp["checked_equal"] == cmp["checked_cells"], cmp["checked_differences"]


def test_a_new_report_keeps_the_notes_and_the_load_section(tmp_path):
    from bench.load import END, START
    from bench.run import NOTES_END, NOTES_START, write_report

    out = tmp_path / "performance.md"
    out.write_text(f"# old table\n\n{NOTES_START}\nwhy it is slow\n{NOTES_END}\n\n{START}\n20 sessies\n{END}\n")
    write_report(out, "# new table\n")
    text = out.read_text()
    assert "old table" not in text and text.startswith("# new table")
    assert text.index("why it is slow") < text.index("20 sessies")
