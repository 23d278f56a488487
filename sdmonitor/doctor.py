"""`sdmonitor doctor`: check an installation and a warehouse, and say in plain words what is wrong."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from sdmonitor.config import DBT_PROJECT_DIR, Config, load_config
from sdmonitor.contract import SOURCES_ORDER
from sdmonitor.publish import PUBLISHED_MARTS
from sdmonitor.warehouse import ident

# A source whose latest export is this much older than the newest source's holds back the
# monitor: its half-year stays incomplete.
STALE_SOURCE_DAYS = 45
# Without these the dashboard shows nothing; other marts missing means an older build.
REQUIRED_TABLES = ("fct_indicator", "dim_periode", "dim_gebied", "dim_indicator", "load_log",
                   "build_info", "validatie", "quarantine")
REQUIRED_PACKAGES = ("duckdb", "dbt-core", "dbt-duckdb", "great-expectations", "streamlit", "altair")


@dataclass
class Finding:
    ok: bool
    text: str


def check_installation(config: Config) -> list[Finding]:
    findings = [
        Finding(
            sys.version_info[:2] == (3, 11),
            f"Python {sys.version.split()[0]}" + ("" if sys.version_info[:2] == (3, 11) else " (3.11 verwacht)"),
        )
    ]
    for package in REQUIRED_PACKAGES:
        try:
            findings.append(Finding(True, f"{package} {version(package)}"))
        except PackageNotFoundError:
            findings.append(Finding(False, f"{package} ontbreekt: installeer met `make install`"))
    dbt_version = _version_or_none("dbt-core")
    if dbt_version and not dbt_version.startswith("1.11."):
        findings.append(Finding(False, f"dbt-core {dbt_version}: dit project vereist 1.11.x"))
    findings.append(
        Finding((DBT_PROJECT_DIR / "dbt_project.yml").exists(), f"dbt-project in {DBT_PROJECT_DIR}")
    )
    for label, path in (("wijkenbestand", config.wijken_csv), ("benchmarkbestand", config.benchmarks_csv)):
        findings.append(
            Finding(path.exists(), f"{label} {path}" + ("" if path.exists() else " bestaat niet"))
        )
    return findings


def check_warehouse(warehouse: Path) -> list[Finding]:
    findings = _build_folder(warehouse)
    if not warehouse.exists():
        return [*findings, Finding(False, f"Warehouse {warehouse} bestaat niet: draai `sdmonitor build`.")]
    if not warehouse.is_file():
        return [*findings, Finding(False, f"{warehouse} is geen bestand: geef het pad van het warehouse-bestand.")]
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        return [*findings, Finding(False, f"Warehouse {warehouse} is niet leesbaar ({_first_line(error)}): draai `sdmonitor build` opnieuw.")]
    with con:
        try:
            tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
            missing = [t for t in REQUIRED_TABLES if t not in tables]
            if missing:
                return [*findings, Finding(False, f"Warehouse mist tabellen: {', '.join(missing)}: draai `sdmonitor build` opnieuw.")]
            older = [t for t in PUBLISHED_MARTS if t not in tables]
            if older:
                findings.append(Finding(False, f"Warehouse mist {', '.join(older)}: gebouwd met een oudere versie; draai `sdmonitor build` opnieuw."))
            # Every block once: a truncated or damaged file often opens and fails only here.
            for table in sorted(tables):
                con.execute(f"select count(*), sum(hash(t)) from {ident(table)} as t").fetchall()
            return [
                *findings,
                Finding(True, f"Warehouse {warehouse} is leesbaar ({_megabytes(warehouse)})"),
                _last_build(con),
                _file_version(con),
                *_sources(con),
                _validation(con),
                _quarantine(con),
                _indicator_rows(con),
            ]
        except duckdb.Error as error:
            return [*findings, Finding(False, f"Warehouse {warehouse} is beschadigd ({_first_line(error)}): draai `sdmonitor build` opnieuw.")]


def _build_folder(warehouse: Path) -> list[Finding]:
    """A build running now (its lock held), or what a killed build left next to the warehouse."""
    import fcntl

    findings = []
    lock = warehouse.parent / f".{warehouse.name}.lock"
    if lock.exists():
        with open(lock) as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
                fcntl.flock(fh, fcntl.LOCK_UN)
            except BlockingIOError:
                findings.append(Finding(True, "Er draait nu een build voor dit warehouse; het dashboard toont de vorige tot die klaar is."))
    leftovers = sorted(p.name for p in warehouse.parent.glob(f".{warehouse.name}.*.tmp"))
    if leftovers and not findings:
        findings.append(Finding(True, f"Restanten van een afgebroken build ({', '.join(leftovers)}): de volgende build ruimt ze op."))
    return findings


def _megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1_000_000:.1f} MB".replace(".", ",")


def _file_version(con) -> Finding:
    """The file was written by the DuckDB of its build; another version may not read it (pitfall 7)."""
    (built_with,) = con.execute("select duckdb_versie from build_info").fetchone()
    installed = duckdb.__version__
    if built_with == installed:
        return Finding(True, f"Gebouwd met DuckDB {built_with}, dezelfde als geïnstalleerd")
    return Finding(False, f"Gebouwd met DuckDB {built_with}, geïnstalleerd is {installed}: bouw het warehouse opnieuw met deze installatie.")


def _last_build(con) -> Finding:
    build_id, built_at, gemeente = con.execute(
        "select build_id, gebouwd_op, gemeente_naam from build_info"
    ).fetchone()
    return Finding(True, f"Laatste build {build_id} voor {gemeente}, gepubliceerd op {built_at:%d-%m-%Y %H:%M}")


def _sources(con) -> list[Finding]:
    rows = dict(
        con.execute(
            """
            select bron, max(exportdatum) from load_log
            where build_id = (select build_id from build_info) group by bron
            """
        ).fetchall()
    )
    findings = []
    newest = max(rows.values()) if rows else None
    for bron in SOURCES_ORDER:
        if bron not in rows:
            findings.append(Finding(False, f"bron {bron}: geen exports in de laatste build (die indicatoren ontbreken)"))
            continue
        behind = (newest - rows[bron]).days
        if behind > STALE_SOURCE_DAYS:
            findings.append(Finding(False, f"bron {bron}: laatste export {rows[bron]:%d-%m-%Y}, {behind} dagen "
                                           "ouder dan de nieuwste bron: vraag het team om een nieuwe export"))
        else:
            findings.append(Finding(True, f"bron {bron}: laatste export {rows[bron]:%d-%m-%Y}"))
    return findings


def _validation(con) -> Finding:
    failed = con.execute(
        "select count(*) filter (where not geslaagd and ernst = 'fout'), "
        "count(*) filter (where not geslaagd and ernst <> 'fout') from validatie"
    ).fetchone()
    if failed[0]:
        return Finding(False, f"Validatie: {failed[0]} controles mislukt (zie de pagina Datakwaliteit)")
    return Finding(True, "Validatie: alle controles geslaagd" + (f", {failed[1]} waarschuwingen" if failed[1] else ""))


def _quarantine(con) -> Finding:
    (count,) = con.execute("select count(*) from quarantine").fetchone()
    return Finding(True, f"Quarantaine: {count} rijen (zie de pagina Datakwaliteit)")


def _indicator_rows(con) -> Finding:
    (count,) = con.execute("select count(*) from fct_indicator").fetchone()
    return Finding(count > 0, f"fct_indicator: {count} rijen" + ("" if count else ": leeg, controleer de exports"))


def _version_or_none(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def doctor(warehouse: Path, config: Config | None = None, out: Callable[[str], None] = print) -> int:
    """Print every finding; exit code 0 when all are fine, 1 otherwise."""
    config = config or load_config()
    findings = []
    for title, group in (
        ("Installatie", check_installation(config)),
        (f"Warehouse {warehouse}", check_warehouse(Path(warehouse))),
    ):
        out(title)
        for finding in group:
            out(f"  [{'ok' if finding.ok else 'PROBLEEM'}] {finding.text}")
        findings.extend(group)
    problems = sum(not f.ok for f in findings)
    out("Alles in orde." if not problems else f"{problems} {'probleem' if problems == 1 else 'problemen'} gevonden.")
    return 0 if not problems else 1
