"""The data behind a chart: the tidy frame a chart draws and a download holds, from
fct_indicator rows and benchmark rows. One module, so the dashboard and the raadsbriefing draw
the same figures with the same texts."""

from __future__ import annotations

import pandas as pd

from sdmonitor import nl

# Figures per inhabitant: the wijk inhabitant counts behind them are estimates.
PER_INWONER = {"maatwerk_per_1000", "pct_jeugd_met_jeugdhulp"}


def waarde_tekst(rij) -> str:
    """'12,5%' or 'onderdrukt': a suppressed cell is shown as suppressed, never as 0 or blank."""
    if bool(rij.get("onderdrukt")):
        return nl.ONDERDRUKT
    return nl.waarde(rij.get("waarde"), rij.get("eenheid"))


def reden_onderdrukt(rij) -> str:
    """Why a cell is suppressed; 'privacyregel' when the row names no reason (a missing text
    can come as None or as NaN, depending on the other rows of the query)."""
    reden = rij.get("reden_onderdrukt")
    return reden if isinstance(reden, str) and reden else "privacyregel"


def toelichting(rij) -> str:
    """Why a cell is empty, the interval, and whether inhabitants are an estimate."""
    delen = []
    if bool(rij.get("onderdrukt")):
        delen.append(f"onderdrukt: {reden_onderdrukt(rij)}")
    elif pd.notna(rij.get("ci_laag")) and pd.notna(rij.get("ci_hoog")):
        delen.append(f"95%-interval {nl.getal(rij['ci_laag'], 1)} – {nl.getal(rij['ci_hoog'], 1)}")
    if pd.notna(rij.get("noemer")) and not bool(rij.get("onderdrukt")):
        delen.append(f"{nl.getal(rij.get('teller'))} van {nl.getal(rij['noemer'])}")
    if bool(rij.get("inwoners_geschat")) and rij.get("indicator") in PER_INWONER:
        delen.append("berekend op een geschat inwonertal")
    return "; ".join(delen)


def figuur_frame(df: pd.DataFrame, **kolommen: pd.Series) -> pd.DataFrame:
    """The tidy frame a chart draws and a download holds, from fct_indicator rows.

    Extra columns (reeks, categorie, ...) are given as keyword arguments.
    """
    if df.empty:
        return pd.DataFrame(columns=["periode", "periode_label", *kolommen, "waarde", "ci_laag",
                                     "ci_hoog", "waarde_tekst", "toelichting", "onderdrukt"])
    rijen = df.to_dict("records")
    out = pd.DataFrame({
        "periode": df["periode"].to_numpy(),
        "periode_label": df["periode_label"].to_numpy(),
        **{k: pd.Series(v).to_numpy() for k, v in kolommen.items()},
        "waarde": df["waarde"].to_numpy(),
        "ci_laag": df["ci_laag"].to_numpy(),
        "ci_hoog": df["ci_hoog"].to_numpy(),
        "waarde_tekst": [waarde_tekst(r) for r in rijen],
        "toelichting": [toelichting(r) for r in rijen],
        "onderdrukt": df["onderdrukt"].astype(bool).to_numpy(),
    })
    return out


def benchmark_frame(bm: pd.DataFrame, eenheid: str, meerdere: bool) -> pd.DataFrame:
    """Benchmark rows as extra trend series, each labelled with its own period and status."""
    if bm.empty:
        return pd.DataFrame()
    reeks = bm["benchmark_gebied_naam"] + " (benchmark)"
    if meerdere:
        reeks = reeks + " – " + bm["uitsplitsing"].map(nl.uitsplitsing_label)
    return pd.DataFrame({
        "periode": bm["periode"].to_numpy(),
        "periode_label": bm["periode"].map(nl.periode).to_numpy(),
        "reeks": reeks.to_numpy(),
        "waarde": bm["waarde"].to_numpy(),
        "ci_laag": None,
        "ci_hoog": None,
        "waarde_tekst": [nl.waarde(w, eenheid) for w in bm["waarde"]],
        "toelichting": (bm["label"] + " (" + bm["bron"].fillna("") + " " + bm["tabel"].fillna("") + ")")
        .str.replace(" ()", "", regex=False).to_numpy(),
        "onderdrukt": False,
    })
