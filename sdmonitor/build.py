"""`sdmonitor build`: land, validate, dbt build, validate, publish.

The build works in a private build folder next to the warehouse and touches the published file
only in its last step, by an atomic rename. Any failure before that leaves the published file
as it was: the dashboard keeps showing the last good build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sdmonitor.config import Config, load_config
from sdmonitor.errors import CheckFailed, MonitorError
from sdmonitor.files import replace_atomically
from sdmonitor.nl import getal
from sdmonitor.publish import publish, remove_stale_temp_files
from sdmonitor.resources import connect_build_db

Progress = Callable[[str], None]


@dataclass
class BuildSummary:
    build_id: str
    warehouse: Path
    steps: dict[str, float] = field(default_factory=dict)  # step name -> seconds
    landing: object | None = None
    warnings: list[str] = field(default_factory=list)


def build_dir_for(warehouse: Path) -> Path:
    """The private folder of the build: row-level data, never published."""
    return warehouse.parent / f".{warehouse.name}.build"


def validation_cache_for(warehouse: Path) -> Path:
    """Validation results per chunk of rows, kept between builds (counts and codes only)."""
    return build_dir_for(warehouse) / "validatie-cache.json"


def parsed_exports_for(warehouse: Path) -> Path:
    """Export files as split by an earlier build (row-level, private like the build DB)."""
    return build_dir_for(warehouse) / "parsed"


def forget_earlier_work(warehouse: Path) -> None:
    """Make the next build read and validate every export again, as the first build did."""
    validation_cache_for(warehouse).unlink(missing_ok=True)
    shutil.rmtree(parsed_exports_for(warehouse), ignore_errors=True)


@contextmanager
def build_lock(warehouse: Path) -> Iterator[None]:
    """One build per warehouse at a time. flock dies with its process: a killed build leaves no lock."""
    lock_path = warehouse.parent / f".{warehouse.name}.lock"
    with open(lock_path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MonitorError(f"Er draait al een build voor {warehouse}; wacht tot die klaar is.") from None
        yield


@contextmanager
def _step(name: str, summary: BuildSummary, progress: Progress) -> Iterator[None]:
    number = len(summary.steps) + 1
    progress(f"[{number}/5] {name} ...")
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    summary.steps[name] = round(seconds, 3)
    progress(f"[{number}/5] {name} klaar in {seconds:.1f} s")


def build(
    exports_dir: Path | str,
    warehouse: Path | str,
    config: Config | None = None,
    progress: Progress = print,
    reuse_earlier_work: bool = True,
) -> BuildSummary:
    """Build the warehouse from the exports; raise MonitorError (warehouse untouched) on failure.

    With `reuse_earlier_work`, export files unchanged since an earlier build are not split
    again (sdmonitor.land.ParsedFiles) and chunks of unchanged rows keep their validation result
    (sdmonitor.validate); without, everything is read and validated again.
    """
    from sdmonitor.land import check_row_conservation, land_exports
    from sdmonitor.transform import PRODUCTION_EXCLUDE, run_dbt
    from sdmonitor.validate import validate_marts, validate_sources, write_validation_html

    config = config or load_config()
    exports_dir = Path(exports_dir)
    warehouse = Path(warehouse).resolve()
    if not exports_dir.is_dir():
        raise MonitorError(f"Exportmap {exports_dir} bestaat niet.")
    warehouse.parent.mkdir(parents=True, exist_ok=True)

    summary = BuildSummary(build_id=datetime.now().strftime("%Y%m%dT%H%M%S.%f"), warehouse=warehouse)
    with build_lock(warehouse):
        remove_stale_temp_files(warehouse)
        work = build_dir_for(warehouse)
        build_db = _fresh_build_db(work)
        if not reuse_earlier_work:
            forget_earlier_work(warehouse)
        cache_file = validation_cache_for(warehouse)

        with _step("Exports inlezen", summary, progress), connect_build_db(build_db) as con:
            summary.landing = land_exports(exports_dir, con, config, summary.build_id, progress,
                                           parsed_exports_for(warehouse))
            check_row_conservation(con)
        with _step("Exports valideren", summary, progress), connect_build_db(build_db) as con:
            _gate(validate_sources(con, summary.build_id, progress, cache_file), summary)
        with _step("Indicatoren berekenen (dbt build)", summary, progress):
            run_dbt("build", build_db, work / "dbt", config, progress,
                    extra_args=("--exclude", *PRODUCTION_EXCLUDE))
        with _step("Indicatoren valideren", summary, progress), connect_build_db(build_db) as con:
            _gate(validate_marts(con, summary.build_id, config, progress, cache_file), summary)
            write_validation_html(con, work / "validatie.html")
        with _step("Publiceren", summary, progress):
            publish(build_db, warehouse, summary.build_id, config, summary.steps)
        _copy_report(work / "validatie.html", warehouse, summary)

    _print_summary(summary, progress)
    return summary


def _copy_report(report: Path, warehouse: Path, summary: BuildSummary) -> None:
    """The validation report next to the warehouse, replaced atomically like the warehouse.

    The warehouse is already published here: a full disk now costs the report, not the build.
    """
    target = warehouse.with_suffix(".validatie.html")
    # Named after the warehouse, so that a killed build's leftover is cleared with its others.
    tmp = warehouse.with_name(f".{warehouse.name}.validatie.{os.getpid()}.tmp")
    try:
        replace_atomically(target, lambda t: shutil.copyfile(report, t), tmp)
    except OSError as error:
        summary.warnings.append(f"validatierapport {target.name} niet bijgewerkt: {error}")


def _fresh_build_db(work: Path) -> Path:
    """Every build starts from an empty build database: what a killed build left is discarded."""
    work.mkdir(parents=True, exist_ok=True)
    build_db = work / "build.duckdb"
    build_db.unlink(missing_ok=True)
    Path(str(build_db) + ".wal").unlink(missing_ok=True)
    return build_db


def _gate(report, summary: BuildSummary) -> None:
    """Stop the build on a failed 'fout' expectation; keep warnings for the summary."""
    for suite in report.suites:
        summary.warnings.extend(line for line in suite.failed if line not in suite.errors)
    if report.should_fail:
        detail = "\n".join(f"  - {line}" for line in report.errors)
        raise CheckFailed(f"Validatie mislukt:\n{detail}")


def _print_summary(summary: BuildSummary, progress: Progress) -> None:
    land = summary.landing
    total = sum(summary.steps.values())
    progress("")
    progress(f"Build {summary.build_id} gepubliceerd naar {summary.warehouse} in {total:.1f} s")
    if land is not None:
        progress(
            f"  {getal(land.files)} bestanden, {getal(land.rows_read)} rijen gelezen: "
            f"{getal(land.rows_loaded)} geladen, {getal(land.rows_quarantined)} in quarantaine, "
            f"{getal(land.rows_superseded)} vervangen door een latere export"
        )
        if land.sources_without_files:
            progress(f"  Geen exports voor: {', '.join(land.sources_without_files)} (die indicatoren ontbreken)")
    for warning in summary.warnings:
        progress(f"  Waarschuwing: {warning}")
