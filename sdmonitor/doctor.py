"""`sdmonitor doctor`: check an installation and a warehouse, and say in plain words what is wrong."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable

import duckdb

from sdmonitor.config import DBT_PROJECT_DIR, Config, load_config
from sdmonitor.contract import SOURCES_ORDER
from sdmonitor.publish import PUBLISHED_MARTS

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
    if not warehouse.exists():
        return [Finding(False, f"Warehouse {warehouse} bestaat niet: draai `sdmonitor build`.")]
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        return [Finding(False, f"Warehouse {warehouse} is niet leesbaar ({_first_line(error)}): draai `sdmonitor build` opnieuw.")]
    with con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        missing = [t for t in (*PUBLISHED_MARTS, "load_log", "build_info") if t not in tables]
        if missing:
            return [Finding(False, f"Warehouse mist tabellen: {', '.join(missing)}: draai `sdmonitor build` opnieuw.")]
        return [
            _last_build(con),
            *_sources(con),
            _validation(con),
            _quarantine(con),
            _indicator_rows(con),
        ]


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
    for bron in SOURCES_ORDER:
        if bron in rows:
            findings.append(Finding(True, f"bron {bron}: laatste export {rows[bron]:%d-%m-%Y}"))
        else:
            findings.append(Finding(False, f"bron {bron}: geen exports in de laatste build (die indicatoren ontbreken)"))
    return findings


def _validation(con) -> Finding:
    failed = con.execute(
        "select count(*) filter (where not geslaagd and ernst = 'fout'), "
        "count(*) filter (where not geslaagd and ernst <> 'fout') from validatie"
    ).fetchone()
    if failed[0]:
        return Finding(False, f"Validatie: {failed[0]} controles mislukt")
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
    out("Alles in orde." if not problems else f"{problems} probleem/problemen gevonden.")
    return 0 if not problems else 1
