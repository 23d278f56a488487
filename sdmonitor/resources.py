"""How much of the machine a build may use: DuckDB's memory limits for landing, validation and dbt.

DuckDB's own default is 80% of the RAM per connection, so a national build used the machine's
memory instead of spilling to disk. With a limit, DuckDB's sorts, joins and aggregates spill to
a temporary folder next to the build database when they need more. Landing and validation spill
within 1 GB; dbt's models need more at national scale (dbt_memory_limit). `SDM_MEMORY_LIMIT` (a
DuckDB size such as `4GB`) sets one limit for all of them.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

MEMORY_LIMIT_ENV = "SDM_MEMORY_LIMIT"
DBT_MEMORY_LIMIT_ENV = "SDM_DBT_MEMORY_LIMIT"  # set by sdmonitor for profiles.yml, not by users
DEFAULT_MEMORY_LIMIT = "1GB"


def memory_limit() -> str:
    """The limit of the build's own connections (landing, validation): they spill within 1 GB."""
    return os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT


def dbt_memory_limit() -> str:
    """The limit of dbt's connection: SDM_MEMORY_LIMIT when set, else DuckDB's own default.

    Measured at national scale (62M export lines): dbt's distinct counts of households and
    persons and its medians do not spill; they ran out of memory at 1, 1.5 and 2 GB (the last
    only in some runs, depending on which models the two threads ran together). A fixed small
    default would fail national builds, so dbt keeps DuckDB's default of 80% of the RAM.
    """
    if os.environ.get(MEMORY_LIMIT_ENV):
        return memory_limit()
    ram_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    return f"{ram_mb * 8 // 10}MB"


def out_of_memory_hint(message: str) -> str:
    """What to do when DuckDB ran out of its memory limit; empty for any other error."""
    if "Out of Memory" not in message:
        return ""
    return (f"DuckDB had niet genoeg aan {dbt_memory_limit()} geheugen; geef de build meer, "
            f"bijvoorbeeld {MEMORY_LIMIT_ENV}=8GB sdmonitor build ...")


def duckdb_settings() -> dict[str, str]:
    """Settings of the build's own DuckDB connections (dbt's profile keeps no insertion order too).

    Without insertion order kept, DuckDB need not buffer a large insert to keep its order
    (every model and query that needs an order says ORDER BY).
    """
    return {"memory_limit": memory_limit(), "preserve_insertion_order": "false"}


def connect_build_db(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), config=duckdb_settings())
