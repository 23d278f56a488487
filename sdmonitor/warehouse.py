"""Every query on the published warehouse: the only module with SQL for readers of the monitor.

Used by the dashboard (through dashboard/queries.py, which caches) and by the raadsbriefing report.
Each public call opens one short-lived read-only DuckDB connection and closes it before
returning: a connection held open would block the next build's atomic swap of the file
(pitfalls 5). Opening the file costs far more than the small queries on it (tens of ms on a
busy machine), so a call runs all its queries on that one connection (the `_..._con` helpers).
Only aggregate tables are read (fct_*, dim_*, load_log, quarantine reasons, validatie, build_info);
nothing here can return a pseudonym. If the dbt models rename a column, this is the file to adapt.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from sdmonitor import nl
from sdmonitor.errors import MonitorError

GEMEENTE = "gemeente"
WIJK = "wijk"


class WarehouseError(MonitorError):
    """The warehouse cannot be shown: missing, unreadable or empty. The message is for the user."""


_BESCHADIGD = (
    "Het warehouse {naam} is beschadigd of onvolledig (bijvoorbeeld afgebroken bij het kopiëren) "
    "en kan niet worden gelezen. Bouw het opnieuw met 'sdmonitor build'. Technische melding: {exc}"
)


@contextmanager
def _connect(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path)
    if not path.is_file():
        raise WarehouseError(
            f"Er is nog geen warehouse op {path}. Bouw het eerst met "
            "'sdmonitor build --exports MAP --warehouse BESTAND'."
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(
            f"Het warehouse {path.name} kan niet worden geopend (beschadigd, of geen DuckDB-bestand "
            f"van deze versie). Bouw het opnieuw. Technische melding: {exc}"
        ) from exc
    try:
        yield con
    except duckdb.Error as exc:
        # A truncated or damaged file often opens, and fails only when a block is read.
        raise WarehouseError(_BESCHADIGD.format(naam=path.name, exc=exc)) from exc
    finally:
        con.close()


def ident(name: str) -> str:
    """A table or column name as a quoted SQL identifier: double quotes, a double quote inside
    doubled. Names read from a file (its table list) are data: never spliced in unquoted."""
    return '"' + str(name).replace('"', '""') + '"'


def _q(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    try:
        return con.execute(sql, params or []).df()
    except duckdb.CatalogException as exc:
        raise WarehouseError(
            "Het warehouse mist een tabel of kolom die het dashboard nodig heeft; is het met "
            f"een oudere versie gebouwd? Bouw het opnieuw. Technische melding: {exc}"
        ) from exc


def _df(path: Path | str, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    with _connect(path) as con:
        return _q(con, sql, params)


def _tabellen(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}


def tabellen(path: Path | str) -> set[str]:
    with _connect(path) as con:
        return _tabellen(con)


def controleer(path: Path | str) -> None:
    """Raise WarehouseError with a Dutch message when the warehouse cannot be shown."""
    with _connect(path) as con:
        aanwezig = _tabellen(con)
        nodig = {"fct_indicator", "dim_periode", "dim_gebied", "dim_indicator"}
        if missend := sorted(nodig - aanwezig):
            raise WarehouseError(
                f"Het warehouse is onvolledig: tabel(len) {', '.join(missend)} ontbreken. "
                "Bouw het opnieuw met 'sdmonitor build'."
            )
        # Read every block once (cached per file version by the dashboard): a damaged file
        # is reported here, in Dutch, instead of failing halfway through a page.
        for tabel in sorted(aanwezig):
            con.execute(f"select count(*), sum(hash(t)) from {ident(tabel)} as t").fetchall()
        leeg = _q(con, "select count(*) as n from fct_indicator")["n"].iloc[0] == 0
    if leeg:
        raise WarehouseError(
            "Het warehouse is leeg: er staan nog geen cijfers in. Controleer of er exports zijn "
            "en bouw opnieuw."
        )


def _gemeente_naam(con: duckdb.DuckDBPyConnection) -> str | None:
    """The gemeente's name from the configuration (build_info), None in an older warehouse."""
    if "build_info" not in _tabellen(con):
        return None
    rij = con.execute("select gemeente_naam from build_info order by gebouwd_op desc limit 1").fetchone()
    return rij[0] if rij else None


def _build_info_con(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    if "build_info" not in _tabellen(con):
        return pd.DataFrame(columns=["build_id", "gebouwd_op", "gemeente_code", "gemeente_naam"])
    return _q(con, "select * from build_info order by gebouwd_op desc limit 1")


def build_info(path: Path | str) -> pd.DataFrame:
    with _connect(path) as con:
        return _build_info_con(con)


# ---------------------------------------------------------------- dimensions


def _kolommen(con: duckdb.DuckDBPyConnection, tabel: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = ?", [tabel]
    ).fetchall()}


def kolommen(path: Path | str, tabel: str) -> set[str]:
    with _connect(path) as con:
        return _kolommen(con, tabel)


def periodes(path: Path | str, alleen_volledig: bool = False) -> pd.DataFrame:
    """The half-years that have figures, oldest first, with their Dutch label.

    `volledige_historie` is False for half-years before the first export (dim_periode): their
    figures rest only on records still present in later exports, so they are partial. With
    `alleen_volledig`, only the others: what trend charts (dashboard and raadsbriefing) show by
    default. A warehouse built before the column existed counts every half-year as complete.
    """
    with _connect(path) as con:
        return _periodes_con(con, alleen_volledig)


def _periodes_con(con: duckdb.DuckDBPyConnection, alleen_volledig: bool = False) -> pd.DataFrame:
    volledig = ("coalesce(p.volledige_historie, true)"
                if "volledige_historie" in _kolommen(con, "dim_periode") else "true")
    df = _q(
        con,
        f"""
        select f.periode, p.label, p.begindatum, p.einddatum, {volledig} as volledige_historie
        from (select distinct periode from fct_indicator) f
        left join dim_periode p using (periode)
        order by f.periode
        """,
    )
    df["label"] = df["label"].fillna(df["periode"].map(nl.periode))
    df["volledige_historie"] = df["volledige_historie"].astype(bool)
    if alleen_volledig:
        df = df[df["volledige_historie"]].reset_index(drop=True)
    return df


def laatste_volledige_periode(path: Path | str) -> str | None:
    """The latest half-year whose end lies before every source's latest export.

    A half-year that is still running (or whose exports have not all arrived) would make the
    monitor look better or worse than it is; the overview opens on the last complete one.
    Without a load_log, the latest period is taken.
    """
    with _connect(path) as con:
        p = _periodes_con(con, alleen_volledig=False)
        grens = None
        if not p.empty and "load_log" in _tabellen(con):
            grens = _q(
                con,
                "select min(laatste) as grens from "
                "(select bron, max(exportdatum) as laatste from load_log group by bron)",
            )["grens"].iloc[0]
    if p.empty:
        return None
    if grens is not None and not pd.isna(grens) and p["einddatum"].notna().all():
        volledig = p[pd.to_datetime(p["einddatum"]) < pd.Timestamp(grens)]
        if not volledig.empty:
            return str(volledig["periode"].iloc[-1])
    return str(p["periode"].iloc[-1])


def gebieden(path: Path | str) -> pd.DataFrame:
    """Gemeente, wijken and 'onbekend', with inhabitants and whether those are estimates."""
    with _connect(path) as con:
        return _gebieden_con(con)


def _gebieden_con(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    df = _q(
        con,
        """
        select gebied_code, gebied_naam, soort, inwoners, inwoners_0_22, inwoners_geschat
        from dim_gebied
        order by case soort when 'gemeente' then 0 when 'wijk' then 1 else 2 end, gebied_code
        """,
    )
    # A gemeente row named by its code ('GM0150') reads badly on every chart; build_info has
    # the name from the configuration.
    naam = _gemeente_naam(con)
    if naam is not None and pd.notna(naam):
        gm = (df["soort"] == GEMEENTE) & (df["gebied_naam"].isna() | (df["gebied_naam"] == df["gebied_code"]))
        df.loc[gm, "gebied_naam"] = naam
    return df



def indicatoren(path: Path | str) -> pd.DataFrame:
    """Indicator metadata: familie, label_nl, eenheid ('%', 'pp', 'aantal', 'dagen', 'per 1000',
    'per fte'), definitie, richting ('hoger_is_beter', 'lager_is_beter', 'neutraal')."""
    df = _df(path, "select * from dim_indicator")
    volgorde = ["volgorde", "indicator"] if "volgorde" in df.columns else ["familie", "indicator"]
    return df.sort_values(volgorde).reset_index(drop=True)


# ---------------------------------------------------------------- figures


def cijfers(
    path: Path | str,
    indicatoren: Sequence[str] | None = None,
    periodes: Sequence[str] | None = None,
    gebieden: Sequence[str] | None = None,
    soort: str | None = None,
) -> pd.DataFrame:
    """Rows of fct_indicator, with the labels a screen needs joined on.

    Filters are optional; None means all. `soort` filters on dim_gebied.soort
    ('gemeente', 'wijk', 'onbekend'). Area names as gebieden() gives them (the gemeente by its
    configured name), the code where an area is not in dim_gebied.
    """
    where, params = ["true"], []
    for kolom, waarden in (("f.indicator", indicatoren), ("f.periode", periodes),
                           ("f.gebied_code", gebieden)):
        if waarden is not None:
            where.append(f"list_contains(?, {kolom})")
            params.append(list(waarden))
    if soort is not None:
        where.append("g.soort = ?")
        params.append(soort)
    with _connect(path) as con:
        gemeente_naam = _gemeente_naam(con)
        df = _q(
            con,
            f"""
        select f.indicator, f.periode, f.gebied_code, f.uitsplitsing,
               f.waarde, f.teller, f.noemer, f.ci_laag, f.ci_hoog,
               coalesce(f.onderdrukt, false) as onderdrukt, f.reden_onderdrukt,
               coalesce(case when g.soort = ?
                             and (g.gebied_naam is null or g.gebied_naam = g.gebied_code)
                             then ?::varchar end,
                        g.gebied_naam, f.gebied_code) as gebied_naam,
               g.soort, g.inwoners, g.inwoners_geschat,
               i.label_nl, i.eenheid, i.familie, i.richting,
               p.label as periode_label
        from fct_indicator f
        left join dim_gebied g using (gebied_code)
        left join dim_indicator i using (indicator)
        left join dim_periode p using (periode)
        where {' and '.join(where)}
        order by f.indicator, f.periode, f.gebied_code, f.uitsplitsing
        """,
            [GEMEENTE, gemeente_naam, *params],
        )
    df["uitsplitsing"] = df["uitsplitsing"].fillna("")
    df["periode_label"] = df["periode_label"].fillna(df["periode"].map(nl.periode))
    df["label_nl"] = df["label_nl"].fillna(df["indicator"])
    return df


def indicatoren_met_wijken(path: Path | str) -> dict[str, frozenset[str]]:
    """Per half-year, the indicators that have at least one wijk row in it (one query for all
    half-years: the dashboard's period switch then needs none)."""
    df = _df(
        path,
        """
        select distinct f.periode, f.indicator from fct_indicator f join dim_gebied g using (gebied_code)
        where g.soort = ?
        """,
        [WIJK],
    )
    return {str(p): frozenset(deel["indicator"]) for p, deel in df.groupby("periode")}


def benchmarks(
    path: Path | str,
    indicatoren: Sequence[str] | None = None,
    periodes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The benchmark to show beside the gemeente figure per indicator, periode, uitsplitsing.

    No row means no benchmark: the page says so (or shows the legal term); it never invents one.
    """
    where, params = ["true"], []
    for kolom, waarden in (("indicator", indicatoren), ("periode", periodes)):
        if waarden is not None:
            where.append(f"list_contains(?, {kolom})")
            params.append(list(waarden))
    with _connect(path) as con:
        if "fct_benchmark_vergelijking" not in _tabellen(con):
            return pd.DataFrame(columns=["indicator", "periode", "uitsplitsing", "label", "waarde"])
        df = _q(
            con,
            f"""
        select * replace (coalesce(uitsplitsing, '') as uitsplitsing)
        from fct_benchmark_vergelijking
        where {' and '.join(where)}
        order by indicator, periode, uitsplitsing
        """,
            params,
        )
    # The area's name ("Nederland", "Niet-stedelijke gemeenten") names the benchmark series.
    if "benchmark_gebied_naam" not in df.columns:
        df["benchmark_gebied_naam"] = df["label"].str.split(",").str[0]
    return df


def termijnen(path: Path | str) -> pd.DataFrame:
    """Legal term per team and stap (days), for the norm lines: team, stap, termijn_dagen.

    Read from the warehouse's dim_termijn (published by every build since it exists), so no page
    hard-codes a number and the dashboard needs no configuration. A stage without a term (bwmo)
    has no row. Only a warehouse built before dim_termijn falls back to the gemeente's config.
    """
    with _connect(path) as con:
        if "dim_termijn" in _tabellen(con):
            return _q(
                con,
                "select team, stap, termijn_dagen from dim_termijn "
                "where termijn_dagen is not null order by team, stap",
            )
    # Old warehouses only (no dim_termijn): the terms from the configuration.
    from sdmonitor.config import load_config

    rijen = []
    for sleutel, dagen in load_config().termijnen.items():
        team, _, stap = sleutel.partition("_")
        if stap.endswith("werkdagen"):  # schuldhulp spoed: werkdagen, not a calendar norm line
            continue
        rijen.append({"team": team, "stap": stap, "termijn_dagen": dagen})
    return pd.DataFrame(rijen, columns=["team", "stap", "termijn_dagen"])


# ---------------------------------------------------------------- data quality


def bronnen(path: Path | str) -> pd.DataFrame:
    """Per source in the latest build: last export date, files, rows read/loaded/quarantined/superseded."""
    return _df(
        path,
        """
        with laatste as (select max(build_id) as build_id from load_log)
        select bron, max(exportdatum) as laatste_exportdatum, count(*) as bestanden,
               sum(rijen_gelezen) as rijen_gelezen, sum(rijen_geladen) as rijen_geladen,
               sum(rijen_quarantaine) as rijen_quarantaine, sum(rijen_vervangen) as rijen_vervangen
        from load_log join laatste using (build_id)
        group by bron order by bron
        """,
    )


def builds(path: Path | str) -> pd.DataFrame:
    """Rows loaded, quarantined and superseded per build."""
    return _df(
        path,
        """
        select build_id, count(*) as bestanden, sum(rijen_gelezen) as rijen_gelezen,
               sum(rijen_geladen) as rijen_geladen, sum(rijen_quarantaine) as rijen_quarantaine,
               sum(rijen_vervangen) as rijen_vervangen
        from load_log group by build_id order by build_id desc
        """,
    )


def bestanden(path: Path | str) -> pd.DataFrame:
    return _df(
        path,
        """
        select bron, bestand, exportdatum, rijen_gelezen, rijen_geladen, rijen_quarantaine,
               rijen_vervangen
        from load_log where build_id = (select max(build_id) from load_log)
        order by bron, exportdatum
        """,
    )


def quarantaine_redenen(path: Path | str) -> pd.DataFrame:
    """Counts per source, column and reason: never a line's content, only why it was set aside."""
    return _df(
        path,
        """
        select bron, coalesce(kolom, '') as kolom, reden, count(*) as aantal
        from quarantine group by all order by aantal desc, bron, kolom, reden
        """,
    )


def validatie(path: Path | str) -> pd.DataFrame:
    with _connect(path) as con:
        if "validatie" not in _tabellen(con):
            return pd.DataFrame(columns=["suite", "expectation", "kolom", "geslaagd", "ernst", "details"])
        return _q(
            con,
            """
        select * exclude (build_id)
        from validatie where build_id = (select max(build_id) from validatie)
        order by geslaagd, suite, expectation, kolom
        """,
        )
