"""How much of the machine a build may use: one DuckDB memory limit for landing, validation and dbt.

DuckDB's own default is 80% of the RAM per connection, so a national build used the machine's
memory instead of spilling to disk. With a limit, DuckDB's sorts, joins and aggregates spill to
a temporary folder next to the build database when they need more: landing, validation and
dbt's models all fit 1 GB at national scale (dbt's models are written so DuckDB can spill them:
docs/performance.md). `SDM_MEMORY_LIMIT` (a DuckDB size such as `4GB`) sets another limit.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

MEMORY_LIMIT_ENV = "SDM_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"


def memory_limit() -> str:
    """The limit of every DuckDB connection of a build: SDM_MEMORY_LIMIT, else 1 GB."""
    return os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT


def out_of_memory_hint(message: str) -> str:
    """What to do when DuckDB ran out of its memory limit; empty for any other error."""
    if "Out of Memory" not in message:
        return ""
    return (f"DuckDB had niet genoeg aan {memory_limit()} geheugen; geef de build meer, "
            f"bijvoorbeeld {MEMORY_LIMIT_ENV}=8GB sdmonitor build ...")


def duckdb_settings() -> dict[str, str]:
    """Settings of the build's own DuckDB connections (dbt's profile keeps no insertion order too).

    Without insertion order kept, DuckDB need not buffer a large insert to keep its order
    (every model and query that needs an order says ORDER BY).
    """
    return {"memory_limit": memory_limit(), "preserve_insertion_order": "false"}


def connect_build_db(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), config=duckdb_settings())
