"""The benchmark: `python -m bench.run [--scales 1,170] [--runs 3] [--out docs/performance.md]`.

For each scale: generate demo exports (bench/out/, cached per scale, seed and generator version),
then, in the same run,
* time `sdmonitor build` `--runs` times, each in a fresh process (bench/child.py) on a fresh
  warehouse: total wall time of the process, each step, and the process's peak RSS (wait4);
* time the baseline (bench/baseline.sql through bench/baseline.py) as often, the same way;
* compare the baseline's fct_indicator with the build's, cell by cell;
* time the dashboard in headless Chromium against the warehouse (bench/dashboard.py).
Then write the table to --out (docs/performance.md) and the raw results as JSON to bench/results/.
With --profile, one extra build per scale runs under cProfile and the top of the slowest step's
profile goes into the report.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from io import StringIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "docs" / "performance.md"
DEFAULT_WORK = REPO / "bench" / "out"
DEFAULT_RESULTS = REPO / "bench" / "results"
SEED = 2025
STEPS = ("land", "validate_sources", "dbt", "validate_marts", "publish")
STEP_LABELS = {
    "land": "land (exports inlezen)",
    "validate_sources": "validation: exports (GX)",
    "dbt": "dbt build",
    "validate_marts": "validation: marts (GX)",
    "publish": "publish",
    "_gx_batch_definition": "GX: import and set up the context",
    "_read_columns": "GX: read tables into pandas",
    "_run_suite": "GX: run the suites",
}

# Targets of issue 7.
TARGET_BUILD_S1_SECONDS = 15.0
TARGET_RATIO_S1 = 3.0
TARGET_RATIO_NATIONAL = 1.3
TARGET_PEAK_RSS_MB = 2048.0
TARGET_FIRST_CHART_S = 1.5
TARGET_SWITCH_S = 0.5

# Gemeente-level cells on which the baseline must agree with the build (the smoke test's check).
CHECKED_INDICATORS = (
    "pct_voorliggend",
    "maatwerk_per_1000",
    "pct_jeugd_met_jeugdhulp",
    "wachtend",
    "doorlooptijd_mediaan",
    "pct_binnen_termijn",
    "hulpvragen",
    "cohort_18",
)


# ---------------------------------------------------------------------------------------------
# processes


class Failed(RuntimeError):
    """The measured process did not succeed; `measured` holds its wall time, peak RSS and exit."""

    def __init__(self, message: str, measured: dict):
        super().__init__(message)
        self.measured = measured


class Timeout(Failed):
    pass


def run_measured(cmd: list[str], log: Path, env: dict | None = None, timeout: float | None = None) -> dict:
    """Run a command; wall seconds and peak RSS (MB) of that process, from wait4().

    A process still running after `timeout` seconds is killed (by its id) and Timeout raised.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=REPO,
                                env={**os.environ, "GX_ANALYTICS_ENABLED": "False", **(env or {})})
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer:
                timer.cancel()
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    measured = {"wall_s": round(wall, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024.0, 1),
                "exit": proc.returncode}
    if timeout and wall >= timeout and proc.returncode < 0:
        raise Timeout(f"{' '.join(cmd[:4])} ... still running after {timeout:g} s: stopped", measured)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise Failed(f"{' '.join(cmd[:4])} ... failed (exit {proc.returncode}, peak "
                     f"{measured['peak_rss_mb']:.0f} MB); {log}:\n{tail}", measured)
    return measured


def _fresh(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(str(path) + ".wal").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# data


def _generator_fingerprint() -> str:
    h = hashlib.sha256()
    for name in ("generate.py", "contract.py"):
        f = REPO / "sdmonitor" / name
        if f.exists():
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def scale_name(scale: float) -> str:
    return f"{scale:g}".replace(".", "_")


def ensure_exports(scale: float, work: Path, seed: int = SEED) -> tuple[Path, dict]:
    """Generated exports for this scale, reused when scale, seed and generator are unchanged."""
    folder = work / f"scale_{scale_name(scale)}"
    exports = folder / "exports"
    marker = folder / "generated.json"
    wanted = {"scale": scale, "seed": seed, "generator": _generator_fingerprint()}
    if marker.exists() and exports.is_dir():
        info = json.loads(marker.read_text())
        if all(info.get(k) == v for k, v in wanted.items()):
            return exports, info
    import shutil

    shutil.rmtree(exports, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    measured = run_measured(
        [sys.executable, "-m", "sdmonitor.cli", "generate", "--out", str(exports),
         "--scale", str(scale), "--seed", str(seed)],
        folder / "generate.log",
    )
    files = sorted(exports.glob("*/*.csv"))
    info = {
        **wanted,
        "generate_s": measured["wall_s"],
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        "lines": sum(_data_lines(f) for f in files),
    }
    marker.write_text(json.dumps(info, indent=2))
    return exports, info


def scaled_config(scale: float, folder: Path) -> Path:
    """The gemeente's configuration with every wijk's inhabitants multiplied by `scale`.

    The generator multiplies the volumes of the exports by the scale; the population the
    per-inhabitant indicators divide by must grow with them, or at scale 10 there are ten times
    more youths with jeugdhulp than youths (and the marts gate rightly refuses the build). Build
    and baseline both read this configuration.
    """
    import csv
    import tomllib

    from sdmonitor.config import DEFAULT_CONFIG, load_config

    config = load_config()
    folder.mkdir(parents=True, exist_ok=True)
    wijken = folder / "wijken_scaled.csv"
    with open(config.wijken_csv, encoding="utf-8-sig", newline="") as src:
        rows = list(csv.DictReader(src, delimiter=";"))
    with open(wijken, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: str(round(int(v) * scale)) if k.startswith("inwoners") else v
                             for k, v in row.items()})
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    original = tomllib.loads(text)["reference"]
    text = text.replace(f'wijken = "{original["wijken"]}"', f'wijken = "{wijken}"')
    text = text.replace(f'benchmarks = "{original["benchmarks"]}"',
                        f'benchmarks = "{config.benchmarks_csv}"')
    target = folder / "gemeente.toml"
    target.write_text(text, encoding="utf-8")
    if load_config(target).wijken_csv != wijken:  # the shipped file's layout changed
        raise RuntimeError(f"{target}: the wijken path could not be replaced")
    return target


def _data_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
    return max(0, n - 1)


# ---------------------------------------------------------------------------------------------
# one scale


def bench_build(exports: Path, folder: Path, run: int, config: Path, profile_dir: Path | None = None,
                timeout: float | None = None, rebuild: bool = False) -> dict:
    """One build in its own process. The same warehouse (and so the same build folder, with dbt's
    partial-parse state) for every run, as on a server that rebuilds. A first build reads and
    validates every export (what earlier builds kept is removed first); a rebuild reuses what
    the build before it parsed and validated, as a server that rebuilds without new exports."""
    from sdmonitor.build import forget_earlier_work

    warehouse = folder / "monitor.duckdb"
    _fresh(warehouse)
    if not rebuild:
        forget_earlier_work(warehouse.resolve())
    out = folder / f"{'rebuild' if rebuild else 'build'}_{run}.json"
    cmd = [sys.executable, "-m", "bench.child", "--exports", str(exports), "--warehouse",
           str(warehouse), "--json", str(out), "--config", str(config)]
    if profile_dir:
        cmd += ["--profile", str(profile_dir)]
    measured = run_measured(cmd, out.with_suffix(".log"), timeout=timeout)
    child = json.loads(out.read_text())
    steps = child["steps"]
    return {
        **measured,
        "steps": steps,
        "validation_s": round(steps.get("validate_sources", 0) + steps.get("validate_marts", 0), 3),
        "overhead_s": round(measured["wall_s"] - sum(steps.values()), 3),
        "imports_s": child.get("imports_seconds"),
        "profiles": child.get("profiles", {}),
        "peak_step": _peak_step(child.get("peak_rss_mb_after_step", {})),
        "warehouse": str(warehouse),
    }


def _peak_step(after_step: dict[str, float]) -> str | None:
    """The step during which the process reached its peak memory (the peak only grows)."""
    top = max(after_step.values(), default=None)
    return next((step for step, peak in after_step.items() if peak == top), None)


def bench_baseline(exports: Path, folder: Path, run: int, config: Path,
                   timeout: float | None = None) -> dict:
    db = folder / "baseline.duckdb"
    log = folder / f"baseline_{run}.log"
    measured = run_measured(
        [sys.executable, "-m", "bench.baseline", "--exports", str(exports), "--out", str(db),
         "--config", str(config)], log, timeout=timeout,
    )
    inner = json.loads(log.read_text().strip().splitlines()[-1])
    return {**measured, "sql_s": inner["seconds"], "rows": inner["rows"], "db": str(db)}


def compare_with_build(baseline_db: Path, warehouse: Path, gemeente_code: str | None = None) -> dict:
    """Cell-by-cell agreement of the baseline's fct_indicator with the build's.

    Two cells agree when both are suppressed, or both are shown with the same waarde, teller and
    noemer (to 1e-6 relative). `checked` is the verdict on CHECKED_INDICATORS at gemeente level.
    """
    import duckdb

    from sdmonitor.config import load_config

    gm = gemeente_code or load_config().gemeente_code
    con = duckdb.connect()
    try:
        con.execute(f"attach '{baseline_db}' as b (read_only)")
        con.execute(f"attach '{warehouse}' as w (read_only)")
        con.execute("create temp macro close_(a, b) as (a is null and b is null) or "
                    "(a is not null and b is not null and abs(a - b) <= 1e-6 * greatest(1, abs(a), abs(b)))")
        con.execute(
            """create temp table cmp as
            select coalesce(b.indicator, w.indicator) as indicator, coalesce(b.periode, w.periode) as periode,
                   coalesce(b.gebied_code, w.gebied_code) as gebied_code,
                   coalesce(b.uitsplitsing, w.uitsplitsing, '') as uitsplitsing,
                   b.indicator is not null as in_baseline, w.indicator is not null as in_build,
                   b.waarde as baseline_waarde, w.waarde as build_waarde,
                   b.onderdrukt as baseline_onderdrukt, w.onderdrukt as build_onderdrukt,
                   coalesce((b.onderdrukt and w.onderdrukt) or (not b.onderdrukt and not w.onderdrukt
                     and close_(b.waarde, w.waarde) and close_(b.teller, w.teller)
                     and close_(b.noemer, w.noemer)), false) as gelijk
            from b.fct_indicator b full join w.main.fct_indicator w
              on b.indicator = w.indicator and b.periode = w.periode and b.gebied_code = w.gebied_code
             and coalesce(b.uitsplitsing, '') = coalesce(w.uitsplitsing, '')"""
        )
        per_indicator = con.execute(
            """select indicator, count(*) as cellen, count(*) filter (gelijk) as gelijk,
                      count(*) filter (not in_baseline) as alleen_build,
                      count(*) filter (not in_build) as alleen_baseline
               from cmp group by all order by indicator"""
        ).fetchall()
        checked_rows = con.execute(
            "select count(*), count(*) filter (gelijk) from cmp where gebied_code = ? and list_contains(?, indicator)",
            [gm, list(CHECKED_INDICATORS)],
        ).fetchone()
        differences = con.execute(
            """select indicator, periode, gebied_code, uitsplitsing, baseline_waarde, build_waarde,
                      baseline_onderdrukt, build_onderdrukt
               from cmp where not gelijk and gebied_code = ? and list_contains(?, indicator)
               order by all limit 20""",
            [gm, list(CHECKED_INDICATORS)],
        ).fetchall()
    finally:
        con.close()
    total = sum(r[1] for r in per_indicator)
    equal = sum(r[2] for r in per_indicator)
    return {
        "cells": total,
        "equal": equal,
        "per_indicator": {r[0]: {"cells": r[1], "equal": r[2], "only_build": r[3], "only_baseline": r[4]}
                          for r in per_indicator},
        "checked_cells": checked_rows[0],
        "checked_equal": checked_rows[1],
        "checked_differences": [list(map(_jsonable, r)) for r in differences],
    }


def _jsonable(x):
    return x if isinstance(x, (int, float, str, bool)) or x is None else str(x)


def _median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def bench_scale(scale: float, runs: int, work: Path, dashboard: bool, profile: bool,
                switches: int, log=print, timeout: float | None = None, warm_loads: int = 3) -> dict:
    exports, data = ensure_exports(scale, work)
    folder = work / f"scale_{scale_name(scale)}"
    log(f"scale {scale:g}: {data['lines']:,} data lines in {data['files']} files "
        f"({data['bytes'] / 1e6:.1f} MB); generated in {data.get('generate_s', '?')} s")
    config = scaled_config(scale, folder)
    result: dict = {"scale": scale, "data": data, "builds": [], "rebuilds": [], "baselines": []}
    # Alternate build, baseline and rebuild so that drift on a shared machine hits all alike.
    for run in range(1, runs + 1):
        try:
            b = bench_build(exports, folder, run, config, timeout=timeout)
            result["builds"].append(b)
            log(f"  build {run}/{runs}: {b['wall_s']:.2f} s, peak {b['peak_rss_mb']:.0f} MB, steps {b['steps']}")
            s = bench_baseline(exports, folder, run, config, timeout=timeout)
            result["baselines"].append(s)
            log(f"  baseline {run}/{runs}: {s['wall_s']:.2f} s (SQL {s['sql_s']:.2f} s), "
                f"peak {s['peak_rss_mb']:.0f} MB")
            rb = bench_build(exports, folder, run, config, timeout=timeout, rebuild=True)
            result["rebuilds"].append(rb)
            log(f"  rebuild {run}/{runs}: {rb['wall_s']:.2f} s, steps {rb['steps']}")
        except Failed as exc:  # too slow, or killed (e.g. out of memory): this scale does not fit
            log(f"  run {run}/{runs}: {exc}")
            result["failed"] = {"what": "build", "timeout_s": timeout, "timed_out": isinstance(exc, Timeout),
                                **exc.measured, "message": str(exc)[-1500:]}
            return result
    builds, bases, rebuilds = result["builds"], result["baselines"], result["rebuilds"]
    med = {
        "build_s": _median([b["wall_s"] for b in builds]),
        "build_steps_sum_s": _median([sum(b["steps"].values()) for b in builds]),
        "overhead_s": _median([b["overhead_s"] for b in builds]),
        "validation_s": _median([b["validation_s"] for b in builds]),
        "peak_rss_mb": max(b["peak_rss_mb"] for b in builds),
        "peak_step": max(builds, key=lambda b: b["peak_rss_mb"]).get("peak_step"),
        "rebuild_peak_rss_mb": max(b["peak_rss_mb"] for b in rebuilds),
        "baseline_s": _median([s["wall_s"] for s in bases]),
        "baseline_sql_s": _median([s["sql_s"] for s in bases]),
        "baseline_peak_rss_mb": max(s["peak_rss_mb"] for s in bases),
    }
    for step in STEPS:
        med[f"step_{step}_s"] = _median([b["steps"].get(step) for b in builds])
        med[f"rebuild_step_{step}_s"] = _median([b["steps"].get(step) for b in rebuilds])
    med["rebuild_s"] = _median([b["wall_s"] for b in rebuilds])
    med["ratio"] = round(med["build_s"] / med["baseline_s"], 2) if med["baseline_s"] else None
    med["rebuild_ratio"] = round(med["rebuild_s"] / med["baseline_s"], 2) if med["baseline_s"] else None
    result["median"] = med
    result["rows"] = _landed_rows(Path(builds[-1]["warehouse"]))
    result["comparison"] = compare_with_build(Path(bases[-1]["db"]), Path(builds[-1]["warehouse"]))
    cmp = result["comparison"]
    log(f"  baseline vs build: {cmp['equal']:,}/{cmp['cells']:,} cells equal; checked gemeente cells "
        f"{cmp['checked_equal']}/{cmp['checked_cells']}")
    if dashboard:
        from bench.dashboard import chromium_available, measure_dashboard

        if chromium_available():
            result["dashboard"] = measure_dashboard(Path(builds[-1]["warehouse"]), folder, switches=switches,
                                                    warm_loads=warm_loads)
            log(f"  dashboard: {json.dumps({k: v for k, v in result['dashboard'].items() if not k.endswith('runs_s')})}")
        else:
            result["dashboard"] = {"skipped": "no /usr/bin/chromium or playwright"}
    if profile:
        result["profile"] = profile_build(exports, folder, config, timeout=timeout)
    return result


def _landed_rows(warehouse: Path) -> dict:
    """Rows read, loaded, quarantined and superseded, from the published load_log."""
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            r = con.execute(
                """select sum(rijen_gelezen), sum(rijen_geladen), sum(rijen_quarantaine), sum(rijen_vervangen),
                          (select count(*) from fct_indicator)
                   from load_log where build_id = (select max(build_id) from load_log)"""
            ).fetchone()
    except duckdb.Error:
        return {}
    return {"read": int(r[0] or 0), "loaded": int(r[1] or 0), "quarantined": int(r[2] or 0),
            "superseded": int(r[3] or 0), "fct_indicator": int(r[4] or 0)}


# ---------------------------------------------------------------------------------------------
# profile


def profile_build(exports: Path, folder: Path, config: Path, top: int = 25,
                  timeout: float | None = None) -> dict:
    """One more build under cProfile (per step); the top of the slowest step's profile."""
    prof_dir = folder / "profile"
    b = bench_build(exports, folder, 0, config, profile_dir=prof_dir, timeout=timeout)
    slowest = max(b["steps"], key=b["steps"].get)
    stats_file = b["profiles"].get(slowest)
    text = {}
    if stats_file:
        for order in ("cumulative", "tottime"):
            buf = StringIO()
            st = pstats.Stats(stats_file, stream=buf)
            st.strip_dirs().sort_stats(order).print_stats(top)
            text[order] = _trim_pstats(buf.getvalue())
    return {
        "wall_s": b["wall_s"],
        "steps": b["steps"],
        "slowest_step": slowest,
        "top": text,
        "phases": _phases(stats_file) if stats_file else {},
        "dbt_nodes": _dbt_node_times(Path(b["warehouse"])),
        "dbt_by_type": _dbt_by_type(Path(b["warehouse"])),
    }


# Functions whose cumulative time tells where a step's time goes (those present are reported).
_PHASES = {
    "parse_manifest": "dbt: parse the project (manifest)",
    "execute_nodes": "dbt: run the nodes (models, tests, unit tests)",
    "write_manifest": "dbt: write manifest",
    "write_run_results": "dbt: write run results",
    "land_exports": "land: all sources",
    "read_export": "land: read and split files (Python csv)",
    "_stage_file": "land: stage strings into DuckDB",
    "_land_source": "land: type, quarantine, latest wins (SQL)",
    "validate_sources": "GX: source suites",
    "validate_marts": "GX: mart suites",
    "publish": "publish",
}


def _phases(stats_file: str, top: int = 12) -> dict[str, float]:
    """Named phases, Python imports, and the project's own functions by cumulative time."""
    stats = pstats.Stats(stats_file).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    found: dict[str, float] = {}
    own: dict[str, float] = {}
    for (filename, line, name), (_, _, _, cumtime, _) in stats.items():
        if name in _PHASES:
            found[_PHASES[name]] = round(max(found.get(_PHASES[name], 0.0), cumtime), 3)
        elif name == "_find_and_load":
            found["Python imports (first import of modules)"] = round(
                max(found.get("Python imports (first import of modules)", 0.0), cumtime), 3)
        elif filename.startswith(str(REPO) + os.sep) and f"{os.sep}.venv{os.sep}" not in filename:
            label = f"`{Path(filename).parent.name}/{Path(filename).name}:{name}`"
            own[label] = round(max(own.get(label, 0.0), cumtime), 3)
    own_top = dict(sorted(own.items(), key=lambda kv: -kv[1])[:top])
    return dict(sorted({**found, **own_top}.items(), key=lambda kv: -kv[1]))


def _dbt_by_type(warehouse: Path) -> dict[str, list]:
    """dbt's node time per resource type: {type: [count, seconds]}."""
    rr = warehouse.parent / f".{warehouse.name}.build" / "dbt" / "target" / "run_results.json"
    if not rr.exists():
        return {}
    out: dict[str, list] = {}
    for r in json.loads(rr.read_text()).get("results", []):
        kind = r.get("unique_id", "?").split(".", 1)[0]
        n, t = out.get(kind, [0, 0.0])
        out[kind] = [n + 1, round(t + float(r.get("execution_time") or 0), 3)]
    return out


def _trim_pstats(text: str) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if "function calls" in line), 0)
    return "\n".join(line.rstrip() for line in lines[start:] if line.strip())


def _dbt_node_times(warehouse: Path, top: int = 12) -> list[list]:
    """The slowest dbt nodes of the last build, from dbt's run_results.json."""
    rr = warehouse.parent / f".{warehouse.name}.build" / "dbt" / "target" / "run_results.json"
    if not rr.exists():
        return []
    results = json.loads(rr.read_text()).get("results", [])
    rows = sorted(((r.get("unique_id", "?"), float(r.get("execution_time") or 0)) for r in results),
                  key=lambda x: -x[1])
    total = sum(t for _, t in rows)
    return [[uid, round(t, 3)] for uid, t in rows[:top]] + [["(all nodes)", round(total, 3)]]


# ---------------------------------------------------------------------------------------------
# machine and report


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass

    def v(pkg: str) -> str:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "-"

    chromium = "-"
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], check=False, capture_output=True, text=True,
                                  timeout=20).stdout.strip() or "-"
    except (OSError, subprocess.SubprocessError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gb": mem_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": v("duckdb"),
        "dbt-core": v("dbt-core"),
        "dbt-duckdb": v("dbt-duckdb"),
        "great-expectations": v("great-expectations"),
        "streamlit": v("streamlit"),
        "playwright": v("playwright"),
        "chromium": chromium,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def _f(x, unit: str = "", digits: int = 2) -> str:
    if x is None:
        return "–"
    if isinstance(x, (int,)) and not isinstance(x, bool):
        return f"{x:,}{unit}".replace(",", " ")
    return f"{x:,.{digits}f}{unit}".replace(",", " ")


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**not met**")


def _is_national(scale: float) -> bool:
    """Scales above Deventer's stand for a multi-gemeente run: the national ratio target applies
    (scale 170 is all gemeenten; a smaller one is the largest that fits, see the report)."""
    return scale > 1


def targets(r: dict) -> list[tuple[str, str, str]]:
    """(target, figure, verdict) for one scale."""
    m = r["median"]
    rows = []
    kinds = [("build", "build_s", "ratio")]
    if m.get("rebuild_s") is not None:
        kinds.append(("rebuild (exports unchanged)", "rebuild_s", "rebuild_ratio"))
    for kind, seconds, ratio in kinds:
        if not _is_national(r["scale"]):
            rows.append((f"{kind} ≤ {TARGET_BUILD_S1_SECONDS:g} s", _f(m[seconds], " s"),
                         _verdict(m[seconds] <= TARGET_BUILD_S1_SECONDS)))
            rows.append((f"{kind} ≤ {TARGET_RATIO_S1:g}× baseline", _f(m[ratio], "×"),
                         _verdict(m[ratio] is not None and m[ratio] <= TARGET_RATIO_S1)))
        else:
            rows.append((f"{kind} ≤ {TARGET_RATIO_NATIONAL:g}× baseline", _f(m[ratio], "×"),
                         _verdict(m[ratio] is not None and m[ratio] <= TARGET_RATIO_NATIONAL)))
    peak = max(m["peak_rss_mb"], m.get("rebuild_peak_rss_mb") or 0)
    rows.append((f"peak memory (build, rebuild) ≤ {TARGET_PEAK_RSS_MB / 1024:g} GB", _f(peak, " MB", 0),
                 _verdict(peak <= TARGET_PEAK_RSS_MB)))
    d = r.get("dashboard") or {}
    if d and "skipped" not in d:
        for visit in ("cold", "warm"):
            when = "first visit" if visit == "cold" else "later visits"
            x = d.get(f"first_chart_{visit}_s")
            label = f"first chart ({when}) ≤ {TARGET_FIRST_CHART_S:g} s"
            if x is None and d.get(f"overview_complete_{visit}_s") is not None:
                # no chart on the overview: the overview's first screen complete stands in for it
                x = d[f"overview_complete_{visit}_s"]
                label = f"overview complete ({when}; no chart on it) ≤ {TARGET_FIRST_CHART_S:g} s"
            rows.append((label, _f(x, " s"), _verdict(None if x is None else x <= TARGET_FIRST_CHART_S)))
        for name in ("period", "wijk"):
            x = d.get(f"{name}_switch_p95_s")
            rows.append((f"{name} switch p95 ≤ {TARGET_SWITCH_S:g} s", _f(x, " s"),
                         _verdict(None if x is None else x <= TARGET_SWITCH_S)))
    return rows


def _extrapolated(r: dict, target: float = 170.0) -> str:
    """A linear estimate for scale 170 from the largest measured scale (labelled as such)."""
    m, factor = r["median"], target / r["scale"]
    seconds = [m["build_s"], m.get("rebuild_s"), m["baseline_s"]]

    def minutes(x: float | None) -> str:
        return "–" if x is None else f"{x * factor / 60:.0f} min"

    total = 3 * sum(x for x in seconds if x) * factor / 60
    return (f"Linear extrapolation from scale {r['scale']:g} (an estimate, not a measurement): "
            f"at scale {target:g} a first build ≈ {minutes(seconds[0])}, a rebuild ≈ "
            f"{minutes(seconds[1])}, the baseline ≈ {minutes(seconds[2])}; three runs of each ≈ "
            f"{total:.0f} min of machine time plus generating the exports, which is why the "
            "largest scale in the table stands in for it.")


def render(results: dict) -> str:
    mach = results["machine"]
    scales = [r for r in results["scales"] if "median" in r]
    too_big = [r for r in results["scales"] if "median" not in r]
    cols = [f"scale {r['scale']:g}" for r in scales]
    out = [
        "# Performance",
        "",
        "How fast `sdmonitor build` and the dashboard are, at Deventer's size (scale 1) and at the",
        "size of a national run (scale 170 ≈ all gemeenten), against the physical limit of the",
        "machine: a hand-written DuckDB script (`bench/baseline.sql`) that computes the same",
        "`fct_indicator` straight from the export files.",
        "",
        (f"Generated by `{results['command']}` on {results['started'][:16].replace('T', ' ')}; "
        f"{results['runs']} run(s) per figure, medians shown; raw results in "
        f"`bench/results/{results['results_file']}`."),
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {mach['cpu']} |",
        f"| cores | {mach['cores']} (usable {mach['affinity']}) |",
        f"| RAM | {mach['ram_gb']} GB |",
        f"| OS | {mach['os']} |",
        f"| Python | {mach['python']} |",
        f"| duckdb | {mach['duckdb']} |",
        f"| dbt-core / dbt-duckdb | {mach['dbt-core']} / {mach['dbt-duckdb']} |",
        f"| great-expectations | {mach['great-expectations']} |",
        f"| streamlit | {mach['streamlit']} |",
        f"| playwright / browser | {mach['playwright']} / {mach['chromium']} |",
        (f"| load average (1, 5, 15 min) at start / end | {', '.join(f'{x:.2f}' for x in mach['load_average'] or [])}"
        f" / {', '.join(f'{x:.2f}' for x in results.get('load_average_end') or [])} |"),
        "",
        "## Results",
        "",
        "| figure | " + " | ".join(cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]

    def row(label: str, values: list[str]) -> None:
        out.append(f"| {label} | " + " | ".join(values) + " |")

    row("export files / size", [f"{r['data']['files']} / {r['data']['bytes'] / 1e6:,.1f} MB" for r in scales])
    row("rows read (loaded, quarantined, superseded)", [
        f"{_f(r['rows'].get('read'))} ({_f(r['rows'].get('loaded'))}, {_f(r['rows'].get('quarantined'))}, "
        f"{_f(r['rows'].get('superseded'))})" if r.get("rows") else "–" for r in scales])
    row("fct_indicator rows", [_f(r["rows"].get("fct_indicator")) if r.get("rows") else "–" for r in scales])
    row("**build, total** (process wall, median)", [f"**{_f(r['median']['build_s'], ' s')}**" for r in scales])
    for step in STEPS:
        row(f"&nbsp;&nbsp;{STEP_LABELS[step]}", [_f(r["median"][f"step_{step}_s"], " s") for r in scales])
    row("&nbsp;&nbsp;start-up and imports (total − steps)", [_f(r["median"]["overhead_s"], " s") for r in scales])
    row("build runs (min – max)", [
        f"{_f(min(b['wall_s'] for b in r['builds']), ' s')} – {_f(max(b['wall_s'] for b in r['builds']), ' s')}"
        for r in scales])
    row("build peak RSS (max over runs), reached in", [
        f"{_f(r['median']['peak_rss_mb'], ' MB', 0)}, {STEP_LABELS.get(r['median'].get('peak_step'), '–')}"
        for r in scales])
    row("**rebuild, exports unchanged** (median)", [f"**{_f(r['median'].get('rebuild_s'), ' s')}**" for r in scales])
    for step in STEPS:
        row(f"&nbsp;&nbsp;{STEP_LABELS[step]}", [_f(r["median"].get(f"rebuild_step_{step}_s"), " s") for r in scales])
    row("rebuild peak RSS (max over runs)", [_f(r["median"].get("rebuild_peak_rss_mb"), " MB", 0) for r in scales])
    row("**baseline** (process wall, median)", [f"**{_f(r['median']['baseline_s'], ' s')}**" for r in scales])
    row("&nbsp;&nbsp;of which the SQL script", [_f(r["median"]["baseline_sql_s"], " s") for r in scales])
    row("baseline peak RSS", [_f(r["median"]["baseline_peak_rss_mb"], " MB", 0) for r in scales])
    row("**build / baseline**", [f"**{_f(r['median']['ratio'], '×')}**" for r in scales])
    row("**rebuild / baseline**", [f"**{_f(r['median'].get('rebuild_ratio'), '×')}**" for r in scales])
    row("baseline = build, all cells", [
        f"{_f(r['comparison']['equal'])} / {_f(r['comparison']['cells'])}" for r in scales])
    row("baseline = build, checked gemeente cells", [
        f"{_f(r['comparison']['checked_equal'])} / {_f(r['comparison']['checked_cells'])}" for r in scales])

    def dash(key: str, r: dict) -> str:
        d = r.get("dashboard") or {}
        if not d:
            return "not run"
        if "skipped" in d:
            return "skipped"
        if d.get(key) is not None:
            return _f(d[key], " s")
        if key.startswith("first_chart") and "no Altair chart" in d.get("errors", {}).get("first_chart", ""):
            return "no chart"
        err = next((v for k, v in d.get("errors", {}).items() if key.startswith(k.split("_")[0])), None)
        return "error" if err else "–"

    row("dashboard server start", [dash("server_start_s", r) for r in scales])
    row("first chart on the overview, first visit", [dash("first_chart_cold_s", r) for r in scales])
    row("first chart on the overview, later visits (median)", [dash("first_chart_warm_s", r) for r in scales])
    row("overview complete, first visit / later visits", [
        f"{dash('overview_complete_cold_s', r)} / {dash('overview_complete_warm_s', r)}" for r in scales])
    for name, label in (("period", "period switch"), ("wijk", "wijk switch")):
        row(f"{label} p50 / p95", [f"{dash(f'{name}_switch_p50_s', r)} / {dash(f'{name}_switch_p95_s', r)}"
                                   for r in scales])
    for r in too_big:
        f = r["failed"]
        why = (f"did not finish within {f['timeout_s']:g} s" if f["timed_out"]
               else f"failed after {f['wall_s']:g} s (exit {f['exit']}, peak {f['peak_rss_mb']:,.0f} MB)")
        out += ["", (f"**Scale {r['scale']:g} does not fit**: the build {why} on this machine "
                     f"({r['data']['lines']:,} data lines, {r['data']['bytes'] / 1e9:.1f} GB of exports); "
                     "the largest scale that fits is the largest in the table.")]
    if not any(r["scale"] >= 170 for r in results["scales"]):
        out += ["", ("*Scale 170 not in this run*: `python -m bench.run --scales 1,170` adds it "
                     "(about 170 × the scale-1 exports; the run reports a scale that does not fit in "
                     "`--timeout` seconds or in memory instead of stopping).")]
        if scales and scales[-1]["scale"] > 1:
            out += ["", _extrapolated(scales[-1])]
    out += ["", "### Targets", ""]
    out += ["| scale | target | figure | |", "|---|---|---:|---|"]
    for r in scales:
        for target, figure, verdict in targets(r):
            out.append(f"| {r['scale']:g} | {target} | {figure} | {verdict} |")
    errors = [(r["scale"], k, v) for r in scales for k, v in ((r.get("dashboard") or {}).get("errors") or {}).items()]
    if errors:
        out += ["", "Dashboard figures that could not be taken:", ""]
        out += [f"* scale {s:g}, {k}: `{v}`" for s, k, v in errors]
    diffs = [(r["scale"], r["comparison"]) for r in scales]
    out += ["", "### Baseline against the build", "",
            "Cells of `fct_indicator` where the baseline and the build disagree (both suppressed, or the",
            "same waarde, teller and noemer, counts as equal), per indicator with any difference:", ""]
    any_diff = False
    for s, cmp in diffs:
        bad = {k: v for k, v in cmp["per_indicator"].items() if v["equal"] != v["cells"]}
        if bad:
            any_diff = True
            out.append(f"* scale {s:g}: " + "; ".join(
                f"`{k}` {v['cells'] - v['equal']}/{v['cells']}"
                + (f" (only in build {v['only_build']}, only in baseline {v['only_baseline']})"
                   if v["only_build"] or v["only_baseline"] else "")
                for k, v in bad.items()))
    if not any_diff:
        out.append("* none: the two implementations agree on every cell.")
    out += ["", "## Where the time goes", ""]
    for r in scales:
        m = r["median"]
        steps = {STEP_LABELS[k]: m[f"step_{k}_s"] or 0.0 for k in STEPS}
        steps["start-up and imports"] = max(0.0, m["overhead_s"] or 0.0)
        total = sum(steps.values()) or 1.0
        parts = ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in sorted(steps.items(), key=lambda kv: -kv[1]))
        out.append(f"* Scale {r['scale']:g}: build {_f(m['build_s'], ' s')} ≈ {parts}; "
                   f"the baseline computes the same table in {_f(m['baseline_s'], ' s')}.")
    out.append("")
    profiled = [r for r in scales if r.get("profile")]
    if not profiled:
        out.append("No profile in this run (`python -m bench.run --profile`).")
    for r in profiled:
        p = r["profile"]
        out += [
            (f"### Scale {r['scale']:g}: slowest step `{p['slowest_step']}` "
            f"({_f(p['steps'][p['slowest_step']], ' s')} of {_f(sum(p['steps'].values()), ' s')} under cProfile)"),
            "",
            "Steps under the profiler: " + ", ".join(f"{k} {_f(v, ' s')}" for k, v in p["steps"].items()) + ".",
            "",
        ]
        if p.get("phases"):
            out += ["Where the slowest step's time goes (cumulative time under cProfile of named phases, of",
                    "first imports, and of the project's own functions; nested, so they overlap):", "",
                    "| phase | seconds |", "|---|---:|"]
            out += [f"| {k} | {_f(v, ' s')} |" for k, v in p["phases"].items()]
            out.append("")
        if p.get("dbt_by_type"):
            out += ["dbt nodes by type (dbt's own execution_time; threads overlap):", "",
                    "| type | nodes | seconds |", "|---|---:|---:|"]
            out += [f"| {k} | {n} | {_f(t, ' s')} |" for k, (n, t) in sorted(p["dbt_by_type"].items())]
            out.append("")
        if p.get("dbt_nodes"):
            out += ["Slowest dbt nodes (dbt's own execution_time):", "", "| node | seconds |", "|---|---:|"]
            out += [f"| `{uid}` | {_f(t, ' s')} |" for uid, t in p["dbt_nodes"]]
            out.append("")
        for order, title in (("cumulative", "by cumulative time"), ("tottime", "by own time")):
            if p["top"].get(order):
                out += [f"Top of the profile of `{p['slowest_step']}`, {title}:", "", "```",
                        p["top"][order], "```", ""]
    out += [
        "",
        "## Method",
        "",
        ("* `python -m bench.run` generates the exports with `sdmonitor generate --scale S --seed "
        f"{SEED}` into `bench/out/` (cached; generation is not timed), then per run starts a fresh"),
        "  process for the build (`bench/child.py`, the same `build()` that `sdmonitor build` calls) on a",
        "  fresh warehouse file and one for the baseline (`bench/baseline.py`); build and baseline",
        "  alternate so that drift on the shared machine hits both alike. A *build* validates every row",
        "  (its validation cache removed first); the *rebuild* after it keeps that cache, as a server",
        "  that rebuilds without new exports does (`sdmonitor.validate`: a chunk of unchanged rows",
        "  keeps its result; new or changed export files are validated). The build folder with dbt's",
        "  partial-parse state is kept for both. Times are wall-clock times of",
        "  the whole process (interpreter start and imports included, as a user experiences them);",
        "  per-step times come from the build's own step timer. Peak memory is the process's maximum",
        "  resident set (`wait4` → `ru_maxrss`). The page cache is warm for both (the exports were just",
        "  written or read).",
        "* Population: the generator multiplies the volumes by the scale, so build and baseline read a",
        "  configuration whose wijken have their inhabitants multiplied by the scale too",
        "  (`bench/out/scale_S/gemeente.toml`); per-inhabitant figures stay Deventer-like at every scale.",
        "* The baseline is one set-based DuckDB script: read the CSVs by header name, drop the rows",
        "  that break the contract, latest export wins, then every indicator family with the full grid",
        "  and primary and secondary suppression. It skips what the product adds on top of the figures:",
        "  quarantine bookkeeping and load log, Great Expectations, dbt's tests and documentation,",
        "  benchmarks and dimension tables, and the separate published file. The inkomen files are",
        "  transcoded from Windows-1252 in bulk first (DuckDB's latin-1 reader refuses bytes 0x80-0x9F,",
        "  the `encodings` extension is a download); that is inside the baseline's time.",
        "* Dashboard: `sdmonitor dashboard` as a subprocess, Debian chromium driven by playwright.",
        "  First chart = navigation start to the first vega-embed canvas/svg drawn on the overview, in",
        "  the page's clock; overview complete = to the end of the first script run with every chart",
        "  drawn and nothing stale. First visit right after server start (cold query cache), then the",
        "  median of fresh browser contexts. Switch = click on a new option in the selectbox (sidebar",
        "  \"Periode\" on the overview; \"Wijkprofiel\" on the Wijken page) to the rerun finished",
        "  (script state back to notRunning, nothing stale, every chart drawn). Each switch picks",
        "  another option than the current one, cycling through them, so most switches are the first",
        "  visit of that period or wijk in the server's query cache, as for a user browsing.",
        "* The machine is shared: the load average at start and end is in the machine table; figures",
        "  taken under load are slower than on an idle machine, build and baseline alike.",
    ]
    return "\n".join(out) + "\n"


# Hand-written analysis between these markers survives a new run of the bench.
NOTES_START, NOTES_END = "<!-- notes:start -->", "<!-- notes:end -->"


def write_report(out: Path, text: str) -> None:
    """Write the report, keeping the hand-written notes and the load test's section
    (bench/load.py writes that one) from the file it replaces."""
    from bench.load import END, START

    old = out.read_text(encoding="utf-8") if out.exists() else ""
    for start, end in ((NOTES_START, NOTES_END), (START, END)):
        if start in old and end in old:
            block = start + old.split(start, 1)[1].split(end, 1)[0] + end
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    out.write_text(text, encoding="utf-8")


def _profiled(args: argparse.Namespace, scale: float) -> bool:
    return args.profile and (args.profile_max_scale is None or scale <= args.profile_max_scale)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description="Sociaal Domein Monitor benchmark")
    p.add_argument("--scales", default="1,170", help="comma-separated scales (1 = Deventer)")
    p.add_argument("--runs", type=int, default=3, help="runs per figure (median); at least 3 for the report")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="the markdown report")
    p.add_argument("--skip-dashboard", action="store_true")
    p.add_argument("--profile", action="store_true", help="one extra build per scale under cProfile")
    p.add_argument("--profile-max-scale", type=float, default=None,
                   help="with --profile, profile only scales up to this one (cProfile slows a national "
                        "build by half an hour; the profile of a smaller scale shows where its time goes)")
    p.add_argument("--switches", type=int, default=12, help="selectbox switches per kind (p50/p95)")
    p.add_argument("--warm-loads", type=int, default=3, help="later visits of the overview (median)")
    p.add_argument("--work", default=str(DEFAULT_WORK), help="generated exports and warehouses")
    p.add_argument("--results", default=str(DEFAULT_RESULTS), help="folder for the raw JSON")
    p.add_argument("--timeout", type=float, default=3600.0,
                   help="seconds one build may take; a scale whose build takes longer is reported as "
                        "not fitting and the next scale runs")
    p.add_argument("--from-json", default=None,
                   help="only write the report again from the raw results of an earlier run")
    args = p.parse_args(argv)

    if args.from_json:
        results = json.loads(Path(args.from_json).read_text())
        write_report(Path(args.out), render(results))
        print(f"report: {args.out}")
        return 0
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    work, results_dir, out = Path(args.work).resolve(), Path(args.results).resolve(), Path(args.out)
    started = datetime.now()
    stamp = started.strftime("%Y%m%dT%H%M%S")
    results = {
        "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "started": started.isoformat(timespec="seconds"),
        "runs": args.runs,
        "machine": machine(),
        "scales": [],
        "results_file": f"bench-{stamp}.json",
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    for scale in scales:
        results["scales"].append(bench_scale(scale, args.runs, work, not args.skip_dashboard,
                                             _profiled(args, scale), args.switches, timeout=args.timeout,
                                             warm_loads=args.warm_loads))
        results["load_average_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
        results["finished"] = datetime.now().isoformat(timespec="seconds")
        # After every scale: a long run stopped halfway still leaves the scales it finished
        # (`--from-json` writes their report).
        (results_dir / results["results_file"]).write_text(json.dumps(results, indent=2, default=str))
    out.parent.mkdir(parents=True, exist_ok=True)
    write_report(out, render(results))
    print(f"report: {out}\nraw results: {results_dir / results['results_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
