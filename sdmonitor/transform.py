"""Step 3 of the build: run `dbt build` on the build database, in-process."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from sdmonitor.config import DBT_PROJECT_DIR, Config
from sdmonitor.errors import CheckFailed, MonitorError
from sdmonitor.resources import MEMORY_LIMIT_ENV, memory_limit, out_of_memory_hint

# What a production build leaves to CI (tests/test_dbt_project.py runs the full `dbt build`):
# unit tests check SQL logic on fixed inputs, independent of the data; not_null and
# accepted_values on the staging models and their sources repeat, row for row, the data contract that landing
# enforces and the GX source suites check again. Key tests (unique) on staging stay in every
# build: GX checks keys per chunk of files, they check them across all files.
PRODUCTION_EXCLUDE = (
    "test_type:unit",
    "test_name:not_null,path:models/staging",
    "test_name:accepted_values,path:models/staging",
)

# dbt events worth a progress line: one per finished node.
_RESULT_EVENTS = {"LogModelResult", "LogTestResult", "LogSeedResult", "LogNodeResult"}


def dbt_args(command: str, build_db: Path, state_dir: Path, config: Config) -> list[str]:
    """The dbt command line: the project's own profile, config as vars, output kept out of the repo."""
    return [
        *command.split(),  # "build", or a group and its subcommand: "docs generate"
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(state_dir / "target"),
        "--log-path", str(state_dir / "logs"),
        "--vars", json.dumps(config.dbt_vars()),
    ]


def run_dbt(
    command: str,
    build_db: Path,
    state_dir: Path,
    config: Config,
    progress: Callable[[str], None] = print,
    extra_args: tuple[str, ...] = (),
) -> None:
    """Run a dbt command against `build_db`; raise CheckFailed naming every failing node."""
    from dbt.cli.main import dbtRunner  # dbt is slow to import: only when a build needs it

    os.environ["SDM_BUILD_DB"] = str(build_db)
    os.environ[MEMORY_LIMIT_ENV] = memory_limit()  # read by profiles.yml, like every build connection
    done = {"n": 0}

    def on_event(event) -> None:
        if event.info.name in _RESULT_EVENTS:
            done["n"] += 1
            if done["n"] % 25 == 0:
                progress(f"  dbt: {done['n']} onderdelen klaar")

    runner = dbtRunner(callbacks=[on_event])
    try:
        result = runner.invoke([*dbt_args(command, build_db, state_dir, config), "--quiet", *extra_args])
    finally:
        _release_dbt_duckdb()
    failures = _failed_nodes(result)
    if result.exception is not None:
        raise CheckFailed(f"dbt {command} kon niet draaien: {result.exception}")
    if not result.success:
        detail = "\n".join(f"  - {line}" for line in failures) or "  (zie dbt-log)"
        hint = out_of_memory_hint(detail)
        raise CheckFailed(f"dbt {command} mislukt:\n{detail}" + (f"\n{hint}" if hint else ""))
    if done["n"]:
        progress(f"  dbt: {done['n']} modellen en tests geslaagd")


def generate_docs(warehouse: Path, out: Path, config: Config) -> Path:
    """`dbt docs generate --static` on the build database of a built warehouse: one HTML page."""
    from sdmonitor.build import build_dir_for

    work = build_dir_for(warehouse)
    build_db = work / "build.duckdb"
    if not build_db.exists():
        raise MonitorError(f"Geen build-database naast {warehouse}: draai eerst `sdmonitor build`.")
    run_dbt("docs generate", build_db, work / "dbt", config, extra_args=("--static",))
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    shutil.copyfile(work / "dbt" / "target" / "static_index.html", page)
    return page


def _release_dbt_duckdb() -> None:
    """Close the DuckDB database that dbt-duckdb keeps open in-process after a run.

    dbt-duckdb holds its environment in a class attribute; left open, it keeps the build
    database attached, so publishing (which attaches it) and the next build in the same
    process (which replaces the file) would fail.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def _failed_nodes(result) -> list[str]:
    """Readable lines for the nodes that errored or failed their test."""
    lines = []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(getattr(node_result, "status", ""))
        if status.lower().endswith(("error", "fail")):
            name = getattr(getattr(node_result, "node", None), "name", "?")
            lines.append(f"{name}: {status} {node_result.message or ''}".strip())
    return lines
