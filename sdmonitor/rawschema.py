"""The landed (raw) tables: one per source, typed per the data contract.

The landing step fills them; dbt declares them as sources. Column names follow the contract,
except that the wijk column (`wijk` or `wijkcode`) lands as `wijk_code`: a CBS wijk code or
`onbekend`. Free text (`opmerking`) never lands. Every row carries where it came from.
"""

from __future__ import annotations

import duckdb

from sdmonitor.contract import (
    BOOLEAN,
    CONTRACT,
    DATE,
    DECIMAL,
    INTEGER,
    MONTH,
    WIJK_CODE,
    WIJK_NAME,
    Source,
)

RAW_SCHEMA = "raw"
LINEAGE_COLUMNS = (
    ("_bestand", "VARCHAR"),  # export file name, e.g. wmo_20250701.csv
    ("_regel", "INTEGER"),  # line number in that file (header = line 1)
    ("_exportdatum", "DATE"),  # the export date from the file name
)

_SQL_TYPES = {
    DATE: "DATE",
    MONTH: "DATE",  # first day of the month
    INTEGER: "INTEGER",
    DECIMAL: "DOUBLE",
    BOOLEAN: "BOOLEAN",
}


def landed_name(column_name: str, kind: str) -> str:
    return "wijk_code" if kind in (WIJK_NAME, WIJK_CODE) else column_name


def raw_columns(source: Source) -> list[tuple[str, str]]:
    """(name, SQL type) of a raw table, lineage columns last."""
    cols = [(landed_name(c.name, c.kind), _SQL_TYPES.get(c.kind, "VARCHAR")) for c in source.landed_columns]
    return cols + list(LINEAGE_COLUMNS)


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every raw table empty, so that a source without exports is an empty table."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for source in CONTRACT.values():
        cols = ", ".join(f"{name} {sql_type}" for name, sql_type in raw_columns(source))
        con.execute(f"create or replace table {RAW_SCHEMA}.{source.code} ({cols})")
