"""Validation with Great Expectations: suites on the landed sources and on the marts.

GX's SQL data sources are broken over DuckDB, so each table is read with DuckDB into pandas and
validated with GX's pandas data source, in chunks of whole export files of at most CHUNK_ROWS
rows (memory stays bounded at any scale). GX is imported once per process (it is slow to import),
and only when a chunk has to be validated: a chunk whose rows and suite are unchanged since an
earlier build reuses that build's result from the validation cache (a JSON file in the private
build folder, counts and codes only). Results go to main.validatie (never row content) for the
dashboard's data-quality page, and to a self-contained HTML report.
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd

from sdmonitor.config import EXPECTATIONS_DIR, Config
from sdmonitor.contract import CONTRACT, SOURCES_ORDER
from sdmonitor.files import replace_atomically
from sdmonitor.nl import getal
from sdmonitor.rawschema import RAW_SCHEMA, raw_columns

# GX phones home on import unless told not to; users' servers are often offline.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

FOUT = "fout"
WAARSCHUWING = "waarschuwing"
MARTS_SUITE = "marts"
# Rows per validated chunk: a pandas frame of this many raw rows stays a few hundred MB.
CHUNK_ROWS = 500_000
# What a suite's outcome depends on besides the data and its parameters: the suites' code,
# the contract they are derived from, this module, and GX itself.
_SUITE_CODE = (
    EXPECTATIONS_DIR / "sources.py",
    EXPECTATIONS_DIR / "marts.py",
    Path(__file__),
    Path(__file__).with_name("contract.py"),
    Path(__file__).with_name("rawschema.py"),
)
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


@dataclass
class Checked:
    """One expectation's result on one chunk, in counts: what the cache keeps and chunks add up."""

    type: str
    kolom: str
    omschrijving: str
    ernst: str
    success: bool
    rows: int
    unexpected_count: int | None = None
    element_count: int | None = None
    missing: list | None = None  # values a 'contain set' expectation did not find
    exception: str | None = None


def _run_suite(batch_definition, suite, frame: pd.DataFrame) -> list[Checked]:
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    results = batch.validate(suite, result_format="BASIC").results
    return [_checked(result, len(frame)) for result in results]


def _checked(result, rows: int) -> Checked:
    config = result.expectation_config
    meta = config.meta or {}
    kwargs = config.kwargs
    outcome = result.result or {}
    raised = result.exception_info.get("raised_exception")
    return Checked(
        type=config.type,
        kolom=kwargs.get("column") or ", ".join(
            kwargs.get("column_list") or [kwargs.get("column_A", ""), kwargs.get("column_B", "")]
        ),
        omschrijving=meta.get("omschrijving", config.type),
        ernst=meta.get("ernst", FOUT),
        success=bool(result.success),
        rows=rows,
        unexpected_count=outcome.get("unexpected_count"),
        element_count=outcome.get("element_count"),
        missing=(
            sorted(map(str, outcome["partial_missing_list"]))
            if "partial_missing_list" in outcome
            else None
        ),
        exception=result.exception_info.get("exception_message") if raised else None,
    )


def _combined(chunks: list[list[Checked]]) -> list[Checked]:
    """One result per expectation over all chunks of a table (the same suite ran on each).

    Row checks add up; a 'contain set' value is missing when no chunk has it. Uniqueness is
    checked within each chunk of whole files; across files the landing's "latest export wins"
    makes keys unique, and dbt's unique tests on the staging models check it again.
    """
    if len(chunks) == 1:
        return chunks[0]
    combined = []
    for parts in zip(*chunks, strict=True):
        first = parts[0]
        counts = [p.unexpected_count for p in parts if p.unexpected_count is not None]
        elements = [p.element_count for p in parts if p.element_count is not None]
        missing = [set(p.missing) for p in parts if p.missing is not None]
        exceptions = [p.exception for p in parts if p.exception]
        still_missing = sorted(set.intersection(*missing)) if missing else None
        combined.append(
            Checked(
                type=first.type,
                kolom=first.kolom,
                omschrijving=first.omschrijving,
                ernst=first.ernst,
                success=(not still_missing) if missing else all(p.success for p in parts),
                rows=sum(p.rows for p in parts),
                unexpected_count=sum(counts) if counts else None,
                element_count=sum(elements) if elements else None,
                missing=still_missing,
                exception=exceptions[0] if exceptions else None,
            )
        )
    return combined


def _outcome(suite_name: str, checked: Checked) -> Outcome:
    return Outcome(
        suite=suite_name,
        expectation=checked.omschrijving,
        kolom=checked.kolom,
        geslaagd=checked.success,
        ernst=checked.ernst,
        details=f"{_details(checked)} [GX: {checked.type}]",
    )


def _details(checked: Checked) -> str:
    """What went wrong in counts and codes; never the offending row values (pseudonyms)."""
    if checked.exception:
        return f"kon niet worden gecontroleerd: {checked.exception}"
    if checked.missing is not None:
        return f"ontbreken: {', '.join(checked.missing)}" if checked.missing else "alles aanwezig"
    if checked.unexpected_count is not None:
        total = checked.element_count if checked.element_count is not None else checked.rows
        return f"{getal(checked.unexpected_count)} van {getal(total)} rijen wijken af"
    if not checked.success:
        return "kolom ontbreekt" if checked.type == "expect_column_to_exist" else "mislukt"
    return "in orde"


# ---------------------------------------------------------------------------------------------
# The cache of results per chunk


class ValidationCache:
    """Results per (suite, parameters, chunk content), kept between builds in one JSON file.

    Each step keeps only the entries its own build used, so the file holds one build's chunks.
    None as path: nothing is kept (every chunk is validated).
    """

    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self.entries: dict[str, dict] = {}
        if self.path and self.path.exists():
            try:
                self.entries = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):  # a cache is only a shortcut: unreadable means empty
                self.entries = {}
        self.hits = 0
        if self.path:  # a killed build's half-written cache
            for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
                leftover.unlink(missing_ok=True)

    def get(self, key: str) -> list[Checked] | None:
        found = next((s[key] for s in self.entries.values() if key in s), None)
        if found is None:
            return None
        self.hits += 1
        return [Checked(**item) for item in found]

    def keep(self, section: str, used: dict[str, list[Checked]]) -> None:
        """Replace `section` by the entries this build used, and write the file atomically."""
        if self.path is None:
            return
        self.entries[section] = {key: [asdict(c) for c in checked] for key, checked in used.items()}
        text = json.dumps(self.entries)
        try:
            replace_atomically(self.path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except OSError:  # a full disk costs the shortcut, not the build
            pass


@cache
def _suite_code_version() -> str:
    digest = hashlib.sha256(version("great-expectations").encode())
    for path in _SUITE_CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_key(suite: str, parameters: object, content: tuple) -> str:
    text = json.dumps([_suite_code_version(), suite, parameters, content], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _content(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], where: str,
             params: list) -> tuple:
    """Row count, column types and an order-free hash of every row: equal content, equal key."""
    types = con.execute(f"select * from {table} limit 0").description
    hashed = ", ".join(f'"{c}"' for c in columns) or "1"
    count, total = con.execute(
        f"select count(*), coalesce(sum(hash({hashed})::hugeint), 0) from {table} {where}", params
    ).fetchone()
    return (count, str(total), [(d[0], str(d[1])) for d in types if d[0] in columns])


# ---------------------------------------------------------------------------------------------
# Reading tables, recording results


def _present_columns(con: duckdb.DuckDBPyConnection, table: str, wanted: list[str]) -> list[str]:
    """The wanted columns the table has; a missing column stays missing (and fails its check)."""
    schema, name = table.split(".")
    present = {
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where schema_name = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    return [c for c in dict.fromkeys(wanted) if c in present]


def _read_columns(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], where: str = "", params=()
) -> pd.DataFrame:
    select = ", ".join(f'"{c}"' for c in columns) or "1 AS _leeg"
    return _vectorisable(con.execute(f"select {select} from {table} {where}", list(params)).df())


def _vectorisable(frame: pd.DataFrame) -> pd.DataFrame:
    """Dtypes for which GX's pandas metrics compare whole columns at once.

    GX vectorises 'between' only for int64/float64 and nanosecond datetimes; DuckDB hands over
    int32 and microsecond dates, which GX then checks value by value in Python (about a fifth
    of the validation time). Dates of the sociaal domein lie well inside the nanosecond range.
    """
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_datetime64_any_dtype(dtype) and dtype != "datetime64[ns]":
            frame[name] = frame[name].astype("datetime64[ns]")
        elif pd.api.types.is_integer_dtype(dtype) and dtype != "int64":
            frame[name] = frame[name].astype("int64")
    return frame


def _file_chunks(con: duckdb.DuckDBPyConnection, table: str) -> Iterator[tuple[str, list]]:
    """(where clause, parameters) per chunk of whole export files of at most CHUNK_ROWS rows.

    A file of more rows than that is a chunk of its own, in ranges of lines (_line_ranges).

    One chunk of the whole table when it has no lineage column or no rows (an empty table is
    still checked: its columns must exist).
    """
    if "_bestand" not in _present_columns(con, table, ["_bestand"]):
        yield "", []
        return
    files = con.execute(
        f"select _bestand, count(*) from {table} group by _bestand order by _bestand"
    ).fetchall()
    chunk: list[str] = []
    rows = 0
    for name, count in files:
        if count > CHUNK_ROWS:
            yield from _line_ranges(con, table, name)
            continue
        if chunk and rows + count > CHUNK_ROWS:
            yield "where _bestand in ?", [chunk]
            chunk, rows = [], 0
        chunk.append(name)
        rows += count
    if chunk:
        yield "where _bestand in ?", [chunk]
    elif not files:
        yield "", []


def _line_ranges(con: duckdb.DuckDBPyConnection, table: str, name: str) -> Iterator[tuple[str, list]]:
    """A file of more than CHUNK_ROWS rows, in chunks of consecutive lines of CHUNK_ROWS rows."""
    ranges = con.execute(
        f"""select min(_regel), max(_regel) from (
            select _regel, (row_number() over (order by _regel) - 1) // {CHUNK_ROWS} AS deel
            from {table} where _bestand = ?)
        group by deel order by deel""",
        [name],
    ).fetchall()
    for first, last in ranges:
        yield "where _bestand = ? and _regel between ? and ?", [name, first, last]


def _validate_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[str],
    suite_name: str,
    parameters: object,
    make_suite: Callable[[], object],
    cached: ValidationCache,
    used: dict[str, list[Checked]],
) -> list[Outcome]:
    """Validate `table` chunk by chunk, reusing cached results; GX only runs on changed chunks."""
    columns = _present_columns(con, table, columns)
    suite = None
    per_chunk = []
    for where, params in _file_chunks(con, table):
        key = _cache_key(suite_name, parameters, _content(con, table, columns, where, params))
        checked = used.get(key) or cached.get(key)
        if checked is None:
            batch_definition = _gx_batch_definition()  # first: a suite needs GX's context
            suite = suite or make_suite()
            frame = _read_columns(con, table, columns, where, params)
            checked = _run_suite(batch_definition, suite, frame)
            del frame
        used[key] = checked
        per_chunk.append(checked)
    return [_outcome(suite_name, c) for c in _combined(per_chunk)]


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
    con: duckdb.DuckDBPyConnection,
    build_id: str,
    progress: Callable[[str], None] = print,
    cache_file: Path | None = None,
) -> ValidationReport:
    """Run the suite of every source on raw.<bron>; results replace this build's rows in validatie."""
    cached = ValidationCache(cache_file)
    wijk_codes = _wijk_codes(con)
    used: dict[str, list[Checked]] = {}
    per_suite: dict[str, list[Outcome]] = {}
    for code in SOURCES_ORDER:
        source = CONTRACT[code]
        per_suite[code] = _validate_table(
            con,
            f"{RAW_SCHEMA}.{code}",
            [name for name, _ in raw_columns(source)],
            code,
            wijk_codes,
            lambda source=source: _suite_module("sources").source_suite(source, wijk_codes),
            cached,
            used,
        )
    cached.keep("sources", used)
    _report_reuse(cached, progress)
    return _report(con, build_id, per_suite, progress)


def validate_marts(
    con: duckdb.DuckDBPyConnection,
    build_id: str,
    config: Config,
    progress: Callable[[str], None] = print,
    cache_file: Path | None = None,
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
    periodes = _distinct(con, dim_periode, "periode")
    indicators = _distinct(con, fct, "indicator")
    wijk_codes = _wijk_codes(con)
    cached = ValidationCache(cache_file)
    used: dict[str, list[Checked]] = {}
    outcomes = _validate_table(
        con,
        fct,
        list(FCT_INDICATOR_COLUMNS),
        MARTS_SUITE,
        [config.dbt_vars(), periodes, wijk_codes, indicators],
        lambda: _suite_module("marts").marts_suite(config, periodes, wijk_codes, indicators),
        cached,
        used,
    )
    cached.keep(MARTS_SUITE, used)
    return _report(con, build_id, {MARTS_SUITE: outcomes}, progress)


def _distinct(con: duckdb.DuckDBPyConnection, table: str, column: str) -> list:
    if column not in _present_columns(con, table, [column]):
        return []
    return [
        row[0]
        for row in con.execute(
            f'select distinct "{column}" from {table} where "{column}" is not null order by 1'
        ).fetchall()
    ]


def _report_reuse(cached: ValidationCache, progress: Callable[[str], None]) -> None:
    if cached.hits:
        progress(
            f"validatie: {cached.hits} ongewijzigde delen van eerdere builds hergebruikt "
            "(zelfde rijen, zelfde controles)"
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
