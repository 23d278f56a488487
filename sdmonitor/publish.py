"""Step 5 of the build: publish the aggregates atomically.

The published warehouse holds only what screens and reports need: marts, the load log, the
quarantine's file/line/column/reason (never row content) and validation results. It is written
as a new file next to the target and renamed over it, so a dashboard reading the target sees
either the previous build or this one, never a half-written file.
"""

from __future__ import annotations

import json
import os
from importlib.metadata import version
from pathlib import Path

import duckdb

from sdmonitor import __version__
from sdmonitor.config import Config

# The tables the dashboard, report and doctor may read. Nothing row-level is in this list.
PUBLISHED_MARTS = (
    "fct_indicator",
    "fct_benchmark",
    "fct_benchmark_vergelijking",
    "dim_periode",
    "dim_gebied",
    "dim_indicator",
)
PUBLISHED_BUILD_TABLES = ("quarantine", "validatie")
# load_log keeps its history: each build's rows are added to those of earlier builds.
LOAD_LOG = "load_log"
KEEP_BUILDS = 20


def temp_path_for(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}.{os.getpid()}.tmp")


def remove_stale_temp_files(warehouse: Path) -> None:
    """Left-overs of a killed build; called while holding the build lock, so none is in use."""
    for leftover in warehouse.parent.glob(f".{warehouse.name}.*.tmp"):
        leftover.unlink(missing_ok=True)
        Path(str(leftover) + ".wal").unlink(missing_ok=True)


def publish(build_db: Path, warehouse: Path, build_id: str, config: Config, steps: dict) -> None:
    tmp = temp_path_for(warehouse)
    tmp.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(f"attach '{build_db}' as build (read_only)")
            build_tables = _tables(con, "build")
            for table in (*PUBLISHED_MARTS, *PUBLISHED_BUILD_TABLES):
                if table in build_tables:
                    con.execute(f"create table main.{table} as select * from build.main.{table}")
            _publish_load_log(con, warehouse, build_id)
            _write_build_info(con, build_id, config, steps)
            con.execute("detach build")
            con.execute("checkpoint")
        _fsync(tmp)
        os.replace(tmp, warehouse)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
