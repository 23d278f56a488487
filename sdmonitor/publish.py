"""Step 5 of the build: publish the aggregates atomically.

The published warehouse holds only what screens and reports need: marts, the load log, the
quarantine's file/line/column/reason (never row content) and validation results. It is written
as a new file next to the target and renamed over it, so a dashboard reading the target sees
either the previous build or this one, never a half-written file.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
from importlib.metadata import version
from pathlib import Path

import duckdb

from sdmonitor import __version__
from sdmonitor.config import Config
from sdmonitor.warehouse import ident

# The tables the dashboard, report and doctor may read. Nothing row-level is in this list.
PUBLISHED_MARTS = (
    "fct_indicator",
    "fct_benchmark",
    "fct_benchmark_vergelijking",
    "dim_periode",
    "dim_gebied",
    "dim_indicator",
    "dim_termijn",
)
PUBLISHED_BUILD_TABLES = ("validatie",)
# quarantine is published with its reasons stripped of the offending value (see below).
QUARANTINE = "quarantine"
# What a published quarantine reason says when its value cannot be cut out cleanly.
_REASON_FALLBACK = "voldoet niet aan het datacontract"
# load_log keeps its history: each build's rows are added to those of earlier builds.
LOAD_LOG = "load_log"
KEEP_BUILDS = 20


def temp_path_for(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}.{os.getpid()}.tmp")


def remove_stale_temp_files(warehouse: Path) -> None:
    """Left-overs of a killed build; called while holding the build lock, so none is in use.

    A killed or failed publish can leave its temporary file, that file's write-ahead log and
    DuckDB's spill folder (`<file>.tmp`, a directory) next to the warehouse.
    """
    name = glob.escape(warehouse.name)  # a '[' in the file name is not a pattern
    for pattern in (f".{name}.*.tmp", f".{name}.*.tmp.wal", f".{name}.*.tmp.tmp"):
        for leftover in warehouse.parent.glob(pattern):
            _remove(leftover)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _remove_temp(tmp: Path) -> None:
    for path in (tmp, Path(f"{tmp}.wal"), Path(f"{tmp}.tmp")):
        _remove(path)


def publish(build_db: Path, warehouse: Path, build_id: str, config: Config, steps: dict) -> None:
    tmp = temp_path_for(warehouse)
    _remove_temp(tmp)
    try:
        with duckdb.connect(str(tmp)) as con:
            # The path as a parameter: a folder such as "o'brien" is data, not SQL.
            con.execute("attach ? as build (read_only)", [str(build_db)])
            build_tables = _tables(con, "build")
            for table in (*PUBLISHED_MARTS, *PUBLISHED_BUILD_TABLES):
                if table in build_tables:
                    con.execute(f"create table main.{ident(table)} as select * from build.main.{ident(table)}")
            if QUARANTINE in build_tables:
                _publish_quarantine(con)
            _publish_load_log(con, warehouse, build_id)
            _write_build_info(con, build_id, config, steps)
            con.execute("detach build")
            con.execute("checkpoint")
        _fsync(tmp)
        os.replace(tmp, warehouse)
        _fsync_dir(warehouse.parent)
    except BaseException:
        _remove_temp(tmp)
        raise


# ' <value>' or ' (waarde niet getoond)' after the column name, up to the last quote.
_QUOTED_VALUE = r" ('.*'|\(waarde niet getoond\))( |$)"


def _publish_quarantine(con: duckdb.DuckDBPyConnection) -> None:
    """Which line of which file was set aside and why, never what was in it.

    In the build database a reason quotes the offending value ("datum_melding '31-02-2025' is
    geen geldige datum"). That value is row content: a date of birth, or a pseudonym or case
    number shifted into the wrong column. The published reason keeps the column and the rule
    ("datum_melding is geen geldige datum"), which also lets the dashboard count rows per reason.
    A reason from which the value cannot be cut cleanly gets a generic text instead.
    """
    con.execute(
        f"""
        create table main.{QUARANTINE} as
        with stripped as (
            select bron, bestand, regel, kolom,
                   trim(regexp_replace(reden, ?, ' ', 's')) as reden
            from build.main.{QUARANTINE}
        )
        select bron, bestand, regel, kolom,
               case when contains(reden, chr(39)) or regexp_matches(reden, '[0-9]{{8}}')
                    then coalesce(kolom || ' ', '') || ?
                    else reden end as reden
        from stripped
        order by bron, bestand, regel, kolom
        """,
        [_QUOTED_VALUE, _REASON_FALLBACK],
    )


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main'",
        [catalog],
    ).fetchall()
    views = con.execute(
        "select view_name from duckdb_views() where database_name = ? and schema_name = 'main'",
        [catalog],
    ).fetchall()
    return {r[0] for r in rows + views}


def _publish_load_log(con: duckdb.DuckDBPyConnection, warehouse: Path, build_id: str) -> None:
    """This build's load log plus that of the last builds published before it."""
    con.execute(f"create table {LOAD_LOG} as select * from build.main.{LOAD_LOG}")
    previous = _previous_load_log(warehouse)
    if previous is None or previous.empty:
        return
    con.register("previous_load_log", previous)
    con.execute(
        f"""
        insert into {LOAD_LOG} by name
        select * from previous_load_log
        where build_id <> ? and build_id in (
            select distinct build_id from previous_load_log order by build_id desc limit {KEEP_BUILDS - 1}
        )
        """,
        [build_id],
    )
    con.unregister("previous_load_log")


def _previous_load_log(warehouse: Path):
    """The load log of the published warehouse, or None when there is none or it is unreadable."""
    if not warehouse.exists():
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as old:
            return old.execute(f"select * from {LOAD_LOG}").df()
    except duckdb.Error:
        return None  # a corrupt or foreign file is replaced, its history is lost


def _write_build_info(con, build_id: str, config: Config, steps: dict) -> None:
    con.execute(
        """
        create table build_info as select
            ?::varchar as build_id,
            now()::timestamp as gebouwd_op,
            ?::varchar as gemeente_code,
            ?::varchar as gemeente_naam,
            ?::varchar as sdmonitor_versie,
            ?::varchar as duckdb_versie,
            ?::varchar as dbt_versie,
            ?::varchar as gx_versie,
            ?::varchar as stappen_seconden
        """,
        [
            build_id,
            config.gemeente_code,
            config.gemeente_naam,
            __version__,
            duckdb.__version__,
            version("dbt-core"),
            version("great-expectations"),
            json.dumps(steps),
        ],
    )


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    """Make the rename itself durable: after a power cut the folder names the new file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
