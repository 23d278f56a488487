"""Validation with Great Expectations: suites on the landed sources and on the marts.

GX's SQL data sources are broken over DuckDB, so each table is read with DuckDB into pandas and
validated with GX's pandas data source. GX is imported once per process (it is slow to import).
Results go to main.validatie (never row content: counts and codes only) for the dashboard's
data-quality page, and to a self-contained HTML report.
"""

from __future__ import annotations

import html
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd

from sdmonitor.config import EXPECTATIONS_DIR, Config
from sdmonitor.contract import CONTRACT, SOURCES_ORDER
from sdmonitor.nl import getal
from sdmonitor.rawschema import RAW_SCHEMA

# GX phones home on import unless told not to; users' servers are often offline.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

FOUT = "fout"
WAARSCHUWING = "waarschuwing"
MARTS_SUITE = "marts"
FCT_INDICATOR_COLUMNS = (
    "indicator",
    "periode",
    "gebied_code",
    "waarde",
    "teller",
    "noemer",
    "onderdrukt",
)


@dataclass(frozen=True)
class Outcome:
    """One evaluated expectation: a row of main.validatie."""

    suite: str
    expectation: str
    kolom: str
    geslaagd: bool
    ernst: str
    details: str

    def line(self) -> str:
        return f"{self.suite}: {self.kolom} {self.expectation}: {self.details} ({self.ernst})"


@dataclass
class SuiteResult:
    suite: str
    evaluated: int
    failed: list[str] = field(default_factory=list)  # every failed expectation, readable Dutch
    errors: list[str] = field(default_factory=list)  # the failed ones with ernst 'fout'


@dataclass
class ValidationReport:
    suites: list[SuiteResult]

    @property
    def should_fail(self) -> bool:
        return any(suite.errors for suite in self.suites)

    @property
    def errors(self) -> list[str]:
        return [line for suite in self.suites for line in suite.errors]


# ---------------------------------------------------------------------------------------------
# Great Expectations, imported and set up once


@cache
def _gx_batch_definition():
    """A pandas data source with one whole-dataframe batch definition, reused for every suite.

    Also makes the GX context current, which building a suite needs.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("sdmonitor").add_dataframe_asset("tabel")
    return asset.add_batch_definition_whole_dataframe("geheel")


@cache
def _suite_module(name: str) -> ModuleType:
    """expectations/<name>.py: the suites live beside the package, not inside it."""
    spec = importlib.util.spec_from_file_location(
        f"sdmonitor_expectations_{name}", EXPECTATIONS_DIR / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _columns_of(expectation) -> list[str]:
    kwargs = expectation.configuration.kwargs
    names = [
        kwargs.get("column"),
        kwargs.get("column_A"),
        kwargs.get("column_B"),
        *kwargs.get("column_list", []),
    ]
    return [name for name in names if name]


def _run_suite(batch_definition, suite, frame: pd.DataFrame) -> list[Outcome]:
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    results = batch.validate(suite, result_format="BASIC").results
    return [_outcome(suite.name, result, len(frame)) for result in results]


def _outcome(suite_name: str, result, rows: int) -> Outcome:
    config = result.expectation_config
    meta = config.meta or {}
    kwargs = config.kwargs
    kolom = kwargs.get("column") or ", ".join(
        kwargs.get("column_list") or [kwargs.get("column_A", ""), kwargs.get("column_B", "")]
    )
    return Outcome(
        suite=suite_name,
        expectation=meta.get("omschrijving", config.type),
        kolom=kolom,
        geslaagd=bool(result.success),
        ernst=meta.get("ernst", FOUT),
        details=f"{_details(result, rows)} [GX: {config.type}]",
    )


def _details(result, rows: int) -> str:
    """What went wrong in counts and codes; never the offending row values (pseudonyms)."""
    if result.exception_info.get("raised_exception"):
        return f"kon niet worden gecontroleerd: {result.exception_info.get('exception_message')}"
    outcome = result.result or {}
    if "partial_missing_list" in outcome:
        missing = outcome["partial_missing_list"]
        return f"ontbreken: {', '.join(map(str, sorted(missing)))}" if missing else "alles aanwezig"
    if "unexpected_count" in outcome:
        checked = outcome.get("element_count", rows)
        return f"{getal(outcome['unexpected_count'])} van {getal(checked)} rijen wijken af"
    if not result.success:
        return (
            "kolom ontbreekt"
            if result.expectation_config.type == "expect_column_to_exist"
            else "mislukt"
        )
    return "in orde"


# ---------------------------------------------------------------------------------------------
# Reading tables, recording results


def _read_columns(con: duckdb.DuckDBPyConnection, table: str, wanted: list[str]) -> pd.DataFrame:
    """Only the columns the suite looks at; a missing column stays missing (and fails its check)."""
    schema, name = table.split(".")
    present = {
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    columns = [c for c in dict.fromkeys(wanted) if c in present]
    select = ", ".join(f'"{c}"' for c in columns) or "1 AS _leeg"
    return con.execute(f"select {select} from {table}").df()


def _record(
    con: duckdb.DuckDBPyConnection, build_id: str, suites: list[str], outcomes: list[Outcome]
) -> None:
    con.execute(
        "create table if not exists main.validatie (build_id VARCHAR, suite VARCHAR, expectation VARCHAR, "
        "kolom VARCHAR, geslaagd BOOLEAN, ernst VARCHAR, details VARCHAR)"
    )
    con.execute("delete from main.validatie where build_id = ? and suite in ?", [build_id, suites])
    rows = [
        (build_id, o.suite, o.expectation, o.kolom, o.geslaagd, o.ernst, o.details)
        for o in outcomes
    ]
    if rows:
        con.executemany("insert into main.validatie values (?, ?, ?, ?, ?, ?, ?)", rows)


def _suite_result(suite: str, outcomes: list[Outcome]) -> SuiteResult:
    failed = [o for o in outcomes if not o.geslaagd]
    return SuiteResult(
        suite=suite,
        evaluated=len(outcomes),
        failed=[o.line() for o in failed],
        errors=[o.line() for o in failed if o.ernst == FOUT],
    )


def _report(
    con: duckdb.DuckDBPyConnection,
    build_id: str,
    per_suite: dict[str, list[Outcome]],
    progress: Callable[[str], None],
) -> ValidationReport:
    _record(
        con, build_id, list(per_suite), [o for outcomes in per_suite.values() for o in outcomes]
    )
    results = [_suite_result(suite, outcomes) for suite, outcomes in per_suite.items()]
    for result in results:
        warnings = len(result.failed) - len(result.errors)
        progress(
            f"validatie {result.suite}: {result.evaluated} controles, {len(result.errors)} fouten, "
            f"{warnings} waarschuwingen"
        )
    return ValidationReport(results)


def _table_outcome(suite: str, table: str) -> Outcome:
    return Outcome(suite, "tabel aanwezig", table, False, FOUT, f"tabel {table} ontbreekt")


def _find_table(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """schema.name of a table or view built by dbt (schema 'main' preferred)."""
    found = con.execute(
        "select schema_name from duckdb_tables() where table_name = ? "
        "union all select schema_name from duckdb_views() where view_name = ? and not internal "
        "order by schema_name <> 'main', schema_name",
        [name, name],
    ).fetchone()
    return f"{found[0]}.{name}" if found else None


def _wijk_codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            f"select wijkcode from {RAW_SCHEMA}.ref_wijken order by 1"
        ).fetchall()
    ]


# ---------------------------------------------------------------------------------------------
# The entry points


def validate_sources(
    con: duckdb.DuckDBPyConnection, build_id: str, progress: Callable[[str], None] = print
) -> ValidationReport:
    """Run the suite of every source on raw.<bron>; results replace this build's rows in validatie."""
    batch_definition = _gx_batch_definition()
    suites = _suite_module("sources")
    wijk_codes = _wijk_codes(con)
    per_suite: dict[str, list[Outcome]] = {}
    for code in SOURCES_ORDER:
        suite = suites.source_suite(CONTRACT[code], wijk_codes)
        wanted = [name for e in suite.expectations for name in _columns_of(e)]
        frame = _read_columns(con, f"{RAW_SCHEMA}.{code}", wanted)
        per_suite[code] = _run_suite(batch_definition, suite, frame)
    return _report(con, build_id, per_suite, progress)


def validate_marts(
    con: duckdb.DuckDBPyConnection,
    build_id: str,
    config: Config,
    progress: Callable[[str], None] = print,
) -> ValidationReport:
    """Run the marts suite on fct_indicator; results are added to this build's rows in validatie."""
    fct, dim_periode = _find_table(con, "fct_indicator"), _find_table(con, "dim_periode")
    missing = [
        name for name, table in (("fct_indicator", fct), ("dim_periode", dim_periode)) if not table
    ]
    if missing:
        return _report(
            con,
            build_id,
            {MARTS_SUITE: [_table_outcome(MARTS_SUITE, m) for m in missing]},
            progress,
        )
    periodes = [
        row[0]
        for row in con.execute(f"select distinct periode from {dim_periode} order by 1").fetchall()
    ]
    batch_definition = _gx_batch_definition()
    frame = _read_columns(con, fct, list(FCT_INDICATOR_COLUMNS))
    indicators = sorted(frame["indicator"].dropna().unique()) if "indicator" in frame else []
    suite = _suite_module("marts").marts_suite(config, periodes, _wijk_codes(con), indicators)
    return _report(
        con, build_id, {MARTS_SUITE: _run_suite(batch_definition, suite, frame)}, progress
    )


def write_validation_html(con: duckdb.DuckDBPyConnection, out_html: Path) -> None:
    """A self-contained Dutch HTML report of main.validatie (our equivalent of GX Data Docs)."""
    rows = con.execute(
        "select build_id, suite, expectation, kolom, geslaagd, ernst, details from main.validatie "
        "order by build_id, suite, geslaagd, ernst, kolom, expectation"
    ).fetchall()
    out_html = Path(out_html)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    out_html.write_text(_render_html(rows), encoding="utf-8")


_HTML_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #1a1a1a; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2em; }
th, td { border-bottom: 1px solid #ddd; padding: .35em .6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.fout { color: #a30000; font-weight: bold; } .waarschuwing { color: #8a5a00; } .ok { color: #1d6b2f; }
"""


def _render_html(rows: list[tuple]) -> str:
    failed_errors = sum(1 for r in rows if not r[4] and r[5] == FOUT)
    failed_warnings = sum(1 for r in rows if not r[4] and r[5] == WAARSCHUWING)
    builds = sorted({r[0] for r in rows})
    parts = [
        "<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'>",
        "<title>Datakwaliteit: validatie</title>",
        f"<style>{_HTML_STYLE}</style></head><body>",
        "<h1>Datakwaliteit: validatie</h1>",
        (
            f"<p>Build {html.escape(', '.join(builds)) or '-'}: {len(rows)} controles, "
            f"{failed_errors} fouten, {failed_warnings} waarschuwingen.</p>"
        ),
    ]
    for suite in dict.fromkeys(r[1] for r in rows):
        parts.append(f"<h2>{html.escape(suite)}</h2><table><tr><th>Uitkomst</th><th>Kolom</th>")
        parts.append("<th>Controle</th><th>Ernst</th><th>Details</th></tr>")
        for _, _, expectation, kolom, geslaagd, ernst, details in (
            r for r in rows if r[1] == suite
        ):
            status = (
                "<span class='ok'>geslaagd</span>"
                if geslaagd
                else f"<span class='{ernst}'>mislukt</span>"
            )
            cells = [html.escape(str(v)) for v in (kolom, expectation, ernst, details)]
            parts.append(f"<tr><td>{status}</td><td>{'</td><td>'.join(cells)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
