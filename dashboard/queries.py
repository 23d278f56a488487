"""Cached access to the published warehouse for the dashboard.

Every function of sdmonitor.warehouse is called through `_run`, cached with st.cache_data on
(function, path, the file's mtime and size, arguments). A rebuild swaps the file atomically, which
changes its mtime, so the next rerun misses the cache and reads the new build within seconds;
no connection is ever kept open (that would block the swap).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from sdmonitor import warehouse
from sdmonitor.config import REPO_ROOT

DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "demo" / "monitor.duckdb"


def warehouse_path() -> Path:
    """The file named by $SDM_WAREHOUSE (set by `sdmonitor dashboard --warehouse`), else the demo."""
    return Path(os.environ.get("SDM_WAREHOUSE") or DEFAULT_WAREHOUSE)


def _versie(path: Path) -> tuple[int, int]:
    try:
        st_ = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return (st_.st_mtime_ns, st_.st_size)


@st.cache_data(show_spinner=False, max_entries=512)
def _run(functie: str, path: str, versie: tuple[int, int], args: tuple, kwargs: tuple):
    # `versie` is only part of the cache key: a new build is a new key.
    return getattr(warehouse, functie)(path, *args, **dict(kwargs))


def _call(functie: str, *args, **kwargs):
    path = warehouse_path()
    # Lists are turned into tuples so the cache key is stable and hashable.
    args = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    kwargs = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    result = _run(functie, str(path), _versie(path), args, kwargs)
    # Pages may add columns; never let them modify the cached object.
    return result.copy() if isinstance(result, pd.DataFrame) else result


# An open session looks every few seconds whether a new build was published, and reruns when
# it was: a screen left open shows the new figures without a click (a stat call, no query).
NIEUWE_BUILD_INTERVAL = "3s"


@st.fragment(run_every=NIEUWE_BUILD_INTERVAL)
def _nieuwe_build(versie: tuple[int, int]) -> None:
    if _versie(warehouse_path()) != versie:
        st.rerun()


def controleer() -> None:
    # Before the check: a session showing "no warehouse yet" also picks up the first build.
    _nieuwe_build(_versie(warehouse_path()))
    _call("controleer")


def build_info() -> pd.DataFrame:
    return _call("build_info")


def periodes(alleen_volledig: bool = False) -> pd.DataFrame:
    return _call("periodes", alleen_volledig=alleen_volledig)


def laatste_volledige_periode() -> str | None:
    return _call("laatste_volledige_periode")


def gebieden() -> pd.DataFrame:
    return _call("gebieden")


def indicatoren() -> pd.DataFrame:
    return _call("indicatoren")


def cijfers(indicatoren=None, periodes=None, gebieden=None, soort=None) -> pd.DataFrame:
    return _call("cijfers", indicatoren=indicatoren, periodes=periodes, gebieden=gebieden, soort=soort)


def indicatoren_met_wijken(periode: str) -> frozenset[str]:
    """The indicators with figures per wijk in `periode` (one cached query for every tile)."""
    return _call("indicatoren_met_wijken", periode)


def benchmarks(indicatoren=None, periodes=None) -> pd.DataFrame:
    return _call("benchmarks", indicatoren=indicatoren, periodes=periodes)


def termijnen() -> pd.DataFrame:
    return _call("termijnen")


def bronnen() -> pd.DataFrame:
    return _call("bronnen")


def builds() -> pd.DataFrame:
    return _call("builds")


def bestanden() -> pd.DataFrame:
    return _call("bestanden")


def quarantaine_redenen() -> pd.DataFrame:
    return _call("quarantaine_redenen")


def validatie() -> pd.DataFrame:
    return _call("validatie")


def gemeente_code() -> str:
    """The gemeente's own area code, from dim_gebied (never hard-coded)."""
    g = gebieden()
    rij = g[g["soort"] == warehouse.GEMEENTE]
    return str(rij["gebied_code"].iloc[0]) if not rij.empty else ""


def gemeente_naam() -> str:
    g = gebieden()
    rij = g[g["soort"] == warehouse.GEMEENTE]
    return str(rij["gebied_naam"].iloc[0]) if not rij.empty else "Gemeente"
