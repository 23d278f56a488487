"""Cached access to the published warehouse for the dashboard.

Every function of sdmonitor.warehouse is called through `_run`, cached in this process on
(function, path, the file's mtime and size, arguments). A rebuild swaps the file atomically, which
changes its mtime, so the next rerun misses the cache and reads the new build within seconds;
no connection is ever kept open (that would block the swap).

The cache is a plain dictionary shared by all sessions, not st.cache_data: the results are small
and never change for a file version, and st.cache_data pickles every result on the way in and
unpickles it on every hit, and hashes the arguments with Streamlit's hasher, which cost more than
the page itself on a rerun (about 100 calls per overview run). A hit here is a dictionary lookup
plus a shallow copy of a frame (copy-on-write: a page that adds a column changes only its copy).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


MAX_ENTRIES = 512
_cache: OrderedDict[tuple, Any] = OrderedDict()
_cache_lock = threading.Lock()
_bezig: dict[tuple, threading.Lock] = {}  # one computation per key at a time, across sessions


def _cached(key: tuple, bereken: Callable[[], Any]) -> Any:
    """The value for `key` (whose second and third items are path and file version), computed
    once per process. Errors are not cached: the next call tries again."""
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        slot = _bezig.setdefault(key, threading.Lock())
    with slot:  # sessions asking for the same value while it is computed wait for it
        with _cache_lock:
            if key in _cache:
                return _cache[key]
        try:
            waarde = bereken()
        finally:
            with _cache_lock:
                _bezig.pop(key, None)
        with _cache_lock:
            # A new build makes every value of the older file unreachable: drop them now.
            for oud in [k for k in _cache if k[1] == key[1] and k[2] != key[2]]:
                del _cache[oud]
            _cache[key] = waarde
            while len(_cache) > MAX_ENTRIES:
                _cache.popitem(last=False)
    return waarde


def _run(functie: str, path: str, versie: tuple[int, int], args: tuple, kwargs: tuple):
    # `versie` is only part of the cache key: a new build is a new key.
    return _cached((functie, path, versie, args, kwargs),
                   lambda: getattr(warehouse, functie)(path, *args, **dict(kwargs)))


def _call(functie: str, *args, **kwargs):
    path = warehouse_path()
    # Lists are turned into tuples so the cache key is stable and hashable.
    args = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    kwargs = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    result = _run(functie, str(path), _versie(path), args, kwargs)
    # Pages may add columns; never let them modify the cached object (a shallow copy is enough
    # under pandas' copy-on-write, and costs microseconds).
    return result.copy(deep=False) if isinstance(result, pd.DataFrame) else result


def per_versie(naam: str, bereken: Callable[[], Any]) -> Any:
    """A value derived from cached query results (a lookup table, a name), computed once per file
    version and shared by all sessions. Callers must not modify it."""
    path = warehouse_path()
    return _cached((naam, str(path), _versie(path)), bereken)


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
    """Rows of fct_indicator (warehouse.cijfers), read in coarse pieces and narrowed here.

    The file is asked for every indicator and area of the chosen half-years, or, for a trend
    over all half-years, for every area of the chosen indicators. The selection a page asked for
    is then picked from that (and kept as well). So the next wijk's profile, another indicator on
    the Wijken page or another family page of the same half-year read nothing from the file: a
    half-year is a few thousand rows, a trend a few hundred.
    """
    grof = ({"indicatoren": None, "periodes": periodes} if periodes is not None
            else {"indicatoren": indicatoren, "periodes": None})
    if grof == {"indicatoren": indicatoren, "periodes": periodes} and gebieden is None and soort is None:
        return _call("cijfers", **grof)
    sleutel = ("cijfers", tuple(indicatoren) if indicatoren is not None else None,
               tuple(periodes) if periodes is not None else None,
               tuple(gebieden) if gebieden is not None else None, soort)

    def kies() -> pd.DataFrame:
        df = _call("cijfers", **grof)
        if indicatoren is not None and grof["indicatoren"] is None:
            df = df[df["indicator"].isin(list(indicatoren))]
        if gebieden is not None:
            df = df[df["gebied_code"].isin(list(gebieden))]
        if soort is not None:
            df = df[df["soort"] == soort]
        return df.reset_index(drop=True)

    return per_versie(repr(sleutel), kies).copy(deep=False)


def indicatoren_met_wijken(periode: str) -> frozenset[str]:
    """The indicators with figures per wijk in `periode` (one cached query for every tile and
    every half-year)."""
    return _call("indicatoren_met_wijken").get(periode, frozenset())


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


def _gemeente() -> tuple[str, str]:
    g = gebieden()
    rij = g[g["soort"] == warehouse.GEMEENTE]
    if rij.empty:
        return "", "Gemeente"
    return str(rij["gebied_code"].iloc[0]), str(rij["gebied_naam"].iloc[0])


def gemeente_code() -> str:
    """The gemeente's own area code, from dim_gebied (never hard-coded)."""
    return per_versie("_gemeente", _gemeente)[0]


def gemeente_naam() -> str:
    return per_versie("_gemeente", _gemeente)[1]


def indicator_infos() -> dict[str, dict]:
    """Per indicator its row of dim_indicator as a dict (read-only; callers copy what they change)."""
    return per_versie("_indicator_infos", lambda: {r["indicator"]: r for r in indicatoren().to_dict("records")})


def wijk_namen() -> dict[str, str]:
    """Wijk code to name, in dim_gebied order (read-only)."""
    def bereken() -> dict[str, str]:
        g = gebieden()
        w = g[g["soort"] == warehouse.WIJK]
        return dict(zip(w["gebied_code"], w["gebied_naam"]))
    return per_versie("_wijk_namen", bereken)
