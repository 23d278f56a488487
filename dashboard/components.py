"""Shared widgets: the KPI tile, chart sections with their downloads, suppressed-cell rendering.

Pages only lay out; everything that turns warehouse rows into something on screen is here, once.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.veilig import md, spreadsheet_veilig, veilig
from sdmonitor import charts, nl

# The headline list is shared with the raadsbriefing (sdmonitor report): one definition.
from sdmonitor.chartdata import (
    benchmark_frame,
    figuur_frame,
    reden_onderdrukt,
    toelichting,
    waarde_tekst,
)
from sdmonitor.kerncijfers import KERNCIJFERS, Kern

# Streamlit runs a full garbage collection after every script run (runner.postScriptGC), the
# 3-second check for a new build included, and holds the interpreter lock while it does, so the
# rerun's last messages wait for it: 70-500 ms per run on the shared 2-core machine, more than the
# page itself. Nearly all it walks are the objects of the modules just imported (pandas, Altair's
# schema classes, DuckDB, Streamlit), which live as long as the process. Moving them out of the
# collector's reach once, here (this module is imported once per process, after those imports),
# brought a collection down to 2-3 ms. Reference counting frees everything as before; only
# reference cycles among these import-time objects are no longer looked for.
gc.freeze()

KERN_INDICATOREN = sorted({k.indicator for k in KERNCIJFERS})

PERIODE_KEY = "periode"
# The sidebar checkbox (app.py) that brings back the half-years before the first export.
ONVOLLEDIG_KEY = "toon_onvolledig"

# Page files, relative to app.py (st.page_link and AppTest.switch_page take these paths).
PAGINA = {
    "overzicht": "app_pages/overzicht.py",
    "vindbaarheid": "app_pages/vindbaarheid.py",
    "voorliggend_veld": "app_pages/voorliggend_veld.py",
    "wachtlijsten": "app_pages/wachtlijsten.py",
    "overgang_18": "app_pages/overgang_18.py",
    "capaciteit": "app_pages/capaciteit.py",
    "vraagpatroon": "app_pages/vraagpatroon.py",
    "integraliteit": "app_pages/integraliteit.py",
    "wijken": "app_pages/wijken.py",
    "datakwaliteit": "app_pages/datakwaliteit.py",
}

# Figures divided by inhabitants (spec: per-inhabitant figures); per wijk those are estimates.

DOWNLOAD_KOPPEN = {
    "periode": "Periode (code)",
    "periode_label": "Periode",
    "gebied_code": "Gebiedscode",
    "gebied_naam": "Gebied",
    "reeks": "Reeks",
    "categorie": "Categorie",
    "waarde": "Waarde",
    "ci_laag": "Ondergrens 95%-interval",
    "ci_hoog": "Bovengrens 95%-interval",
    "teller": "Teller",
    "noemer": "Noemer",
    "waarde_tekst": "Weergave",
    "toelichting": "Toelichting",
    "onderdrukt": "Onderdrukt",
    "norm": "Norm (wettelijke termijn, dagen)",
    "inwoners": "Inwoners",
    "rij": "Rij (raster)",
    "kolom": "Kolom (raster)",
}


# ---------------------------------------------------------------- state


def periode() -> str:
    """The period chosen in the sidebar (app.py owns the selector)."""
    return st.session_state[PERIODE_KEY]


def toon_onvolledig() -> bool:
    """Whether the user asked to see the half-years before the first export as well."""
    return bool(st.session_state.get(ONVOLLEDIG_KEY, False))


def trend_periodes() -> list[str]:
    """The half-years a trend shows: those with complete history, or all when asked for."""
    per = queries.periodes(alleen_volledig=not toon_onvolledig())
    if per.empty:  # no half-year with complete history at all: show what there is
        per = queries.periodes()
    return per["periode"].tolist()


def eerste_volledige_periode() -> str | None:
    per = queries.periodes(alleen_volledig=True)
    return str(per["periode"].iloc[0]) if not per.empty else None


def onvolledig_uitleg() -> str:
    """Why the half-years before the first export are hidden, in Dutch."""
    eerste = eerste_volledige_periode()
    vanaf = f" (vóór {nl.periode(eerste)})" if eerste else ""
    return (f"De halfjaren vóór de eerste export{vanaf} zijn onvolledig: daarvan kent de monitor "
            "alleen de dossiers die bij de eerste export nog liepen, dus de cijfers zijn te laag of "
            "scheef. Ze staan standaard niet in de trends en de periodekeuze.")


def indicator_info(indicator: str) -> dict:
    info = queries.indicator_infos().get(indicator)
    if info is None:
        return {"indicator": indicator, "label_nl": indicator, "eenheid": "", "definitie": "",
                "familie": "", "richting": ""}
    return dict(info)


def termijn(uitsplitsing: str) -> float | None:
    """The legal term (days) of a team/stap breakdown, or None (bwmo has none)."""
    d = nl.parse_uitsplitsing(uitsplitsing)
    t = queries.termijnen()
    rij = t[(t["team"] == d.get("team")) & (t["stap"] == d.get("stap"))]
    return float(rij["termijn_dagen"].iloc[0]) if not rij.empty else None


def termijn_tekst(uitsplitsing: str) -> str:
    dagen = termijn(uitsplitsing)
    return f"wettelijke termijn {nl.getal(dagen)} dagen" if dagen is not None else "geen wettelijke termijn"


# ---------------------------------------------------------------- text of a cell


# ---------------------------------------------------------------- output


def als_csv(df: pd.DataFrame) -> bytes:
    """A download frame as CSV: semicolon and decimal comma (what Dutch Excel opens without an
    import wizard), text that could start a formula neutralised (veilig.spreadsheet_veilig)."""
    return spreadsheet_veilig(df).to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def als_excel(df: pd.DataFrame) -> bytes:
    """A download frame as an Excel file; text cells are never formulas (openpyxl would write a
    text starting with '=' as one), numbers stay numbers."""
    buf = io.BytesIO()
    spreadsheet_veilig(df).to_excel(buf, index=False, sheet_name="data", engine="openpyxl")
    return buf.getvalue()


def _bestandsnaam(naam: str) -> str:
    """A download's file name: letters, digits, '-' and '_' only (names can come from data)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", naam).strip("_") or "download"


def downloads(df: pd.DataFrame, naam: str) -> None:
    """CSV and Excel of exactly the frame shown: same rows and columns, Dutch headers."""
    uit = df.rename(columns=DOWNLOAD_KOPPEN)
    rij = st.container(horizontal=True)
    bestand = _bestandsnaam(naam)

    # The files are made only when clicked (deferred data): writing an Excel file with openpyxl
    # for every chart and table on every rerun cost more than the page itself.
    rij.download_button("CSV", lambda: als_csv(uit), file_name=f"{bestand}.csv", mime="text/csv",
                        key=f"csv_{naam}", on_click="ignore", icon=":material/download:")
    rij.download_button(
        "Excel", lambda: als_excel(uit), file_name=f"{bestand}.xlsx", key=f"xlsx_{naam}", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )


# ---------------------------------------------------------------- charts as Vega-Lite specs
#
# Building an Altair chart and turning it into a Vega-Lite dict (st.altair_chart validates the
# whole spec against the schema on every call) cost 50-130 ms of CPU per chart on every rerun
# (the wijk grid most), more than the rest of a page. A chart depends only on its frame and a few
# arguments, so each spec is built once per (chart function, frame content, arguments) and kept;
# a rerun then costs a hash of the frame (<1 ms) and a JSON parse. The frames go to Streamlit as
# named datasets (Arrow), as st.altair_chart sends them; only the schema validation is left out
# here: tests/test_charts.py validates every chart kind and checks that this spec is the one
# st.altair_chart would send.

MAX_SPECS = 256
_specs: OrderedDict[tuple, tuple[str, dict[str, pd.DataFrame]]] = OrderedDict()
_specs_lock = threading.Lock()


def _vingerafdruk(df: pd.DataFrame) -> str:
    """A content hash of a frame: columns, types, values (not the index)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((list(df.columns), [str(t) for t in df.dtypes], len(df))).encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _naar_vega_lite(chart: alt.TopLevelMixin) -> tuple[str, dict[str, pd.DataFrame]]:
    """The chart as Vega-Lite JSON whose data are named datasets, and those datasets (frames)."""
    datasets: dict[str, pd.DataFrame] = {}

    def benoem(deel) -> None:
        data = getattr(deel, "data", alt.Undefined)
        if isinstance(data, pd.DataFrame):
            naam = f"data-{_vingerafdruk(data)}"
            datasets[naam] = data
            deel.data = alt.NamedData(name=naam)
        lagen = getattr(deel, "layer", alt.Undefined)
        for sub in lagen if isinstance(lagen, list) else []:
            benoem(sub)

    benoem(chart)
    # top_level=False: without Altair's default theme (its 300 px defaults), as st.altair_chart
    # renders; no data transformer is involved, so no global Altair state is touched.
    spec = chart.to_dict(validate=False, context={"top_level": False})
    spec["$schema"] = alt.SCHEMA_URL
    return json.dumps(spec), datasets


def vega_spec(maak: Callable[..., alt.TopLevelMixin], df: pd.DataFrame, **args) -> dict:
    """The Vega-Lite spec (a fresh dict, datasets included) of `maak(df, **args)`, built once."""
    key = (maak.__module__, maak.__qualname__, _vingerafdruk(df), tuple(sorted(args.items())))
    with _specs_lock:
        gevonden = _specs.get(key)
        if gevonden is not None:
            _specs.move_to_end(key)
    if gevonden is None:
        gevonden = _naar_vega_lite(maak(df, **args))
        with _specs_lock:
            _specs[key] = gevonden
            while len(_specs) > MAX_SPECS:
                _specs.popitem(last=False)
    tekst, datasets = gevonden
    return {**json.loads(tekst), "datasets": dict(datasets)}


def grafiek(spec: dict | None, df: pd.DataFrame, naam: str, **kwargs):
    """A chart (a spec from vega_spec) with its downloads underneath. Returns the selection
    event when one is asked for."""
    if df.empty or spec is None:
        st.info("Geen cijfers voor deze keuze.")
        return None
    event = st.vega_lite_chart(spec=spec, width="stretch", **kwargs)
    downloads(df, naam)
    return event


def onderdrukt_melding(df: pd.DataFrame) -> None:
    """Say in words how many cells are suppressed and why (the chart shows them as ×)."""
    if "onderdrukt" not in df.columns or not df["onderdrukt"].any():
        return
    redenen = df.loc[df["onderdrukt"], "toelichting"].str.replace("onderdrukt: ", "", regex=False)
    tekst = "; ".join(f"{r} ({n}×)" for r, n in redenen.value_counts().items())
    st.caption(f"{ONDERDRUKT_ICOON} {int(df['onderdrukt'].sum())} cel(len) onderdrukt vanwege privacy: {tekst}.")


ONDERDRUKT_ICOON = "🔒"


# ---------------------------------------------------------------- sections used by family pages


def sectie_trend(
    indicator: str,
    uitsplitsingen: list[str] | None = None,
    gebieden: list[str] | None = None,
    titel: str | None = None,
    norm: float | None = None,
    norm_label: str | None = None,
    extra_indicatoren: list[str] | None = None,
    naam: str | None = None,
) -> pd.DataFrame:
    """Trend over all half-years, gemeente (or areas) against the benchmark, intervals as bands.

    With extra_indicatoren, indicators of the same unit share the chart as series; with several
    gebieden (a wijk and the gemeente) each area is a series.
    """
    gm = queries.gemeente_code()
    gebieden = gebieden or [gm]
    codes = [indicator, *(extra_indicatoren or [])]
    df = queries.cijfers(indicatoren=codes, gebieden=gebieden)
    if uitsplitsingen is not None:
        df = df[df["uitsplitsing"].isin(uitsplitsingen)]
    # Half-years before the first export are partial: left out unless asked for (sidebar).
    getoond = trend_periodes()
    weggelaten = not df.empty and not df["periode"].isin(getoond).all()
    df = df[df["periode"].isin(getoond)]
    info = indicator_info(indicator)
    meerdere = df["uitsplitsing"].nunique() > 1
    delen = []
    if len(gebieden) > 1 or (len(codes) == 1 and not meerdere):
        delen.append(df["gebied_naam"])
    if len(codes) > 1:
        delen.append(df["label_nl"])
    if meerdere:
        delen.append(df["uitsplitsing"].map(nl.uitsplitsing_label))
    reeks = delen[0]
    for deel in delen[1:]:
        reeks = reeks + " – " + deel
    frame = figuur_frame(df, reeks=reeks)
    if gm in gebieden:
        bm = queries.benchmarks(indicatoren=[indicator])
        bm = bm[bm["uitsplitsing"].isin(df["uitsplitsing"].unique()) & bm["periode"].isin(getoond)]
        frame = pd.concat([frame, benchmark_frame(bm, info["eenheid"], meerdere)], ignore_index=True)
    # The definition sits behind the (?) of the title: always there, never in the way.
    st.markdown(f"**{md(titel or info['label_nl'])}**", help=md(info["definitie"]) if info.get("definitie") else None)
    spec = None
    if not frame.empty:
        spec = vega_spec(charts.trend, frame, as_titel=nl.eenheid_label(info["eenheid"]), norm=norm,
                         norm_label=norm_label)
    grafiek(spec, frame, naam or f"{indicator}_trend")
    onderdrukt_melding(frame)
    if weggelaten:
        eerste = eerste_volledige_periode()
        st.caption(f"Vanaf {md(nl.periode(eerste))}: de halfjaren vóór de eerste export zijn onvolledig "
                   "en weggelaten (zie de zijbalk om ze toch te tonen).")
    return frame


def sectie_staven(
    indicator: str,
    uitsplitsingen: list[str] | None = None,
    titel: str | None = None,
    met_norm: bool = False,
    gebied: str | None = None,
    extra_indicatoren: list[str] | None = None,
    naam: str | None = None,
) -> pd.DataFrame:
    """Bars per team, stage or other breakdown for the chosen period (gemeente or one area).

    With met_norm, each stage's legal term is drawn as a tick on its bar.
    """
    gebied = gebied or queries.gemeente_code()
    codes = [indicator, *(extra_indicatoren or [])]
    df = queries.cijfers(indicatoren=codes, periodes=[periode()], gebieden=[gebied])
    if uitsplitsingen is not None:
        df = df[df["uitsplitsing"].isin(uitsplitsingen)]
    info = indicator_info(indicator)
    kolommen = {"categorie": df["uitsplitsing"].map(nl.uitsplitsing_label)}
    if len(codes) > 1:
        kolommen["reeks"] = df["label_nl"]
    if met_norm:
        kolommen["norm"] = df["uitsplitsing"].map(termijn)
    frame = figuur_frame(df, **kolommen)
    titel = titel or f"{info['label_nl']} – {nl.periode(periode())}"
    st.markdown(f"**{md(titel)}**", help=md(info["definitie"]) if info.get("definitie") else None)
    spec = vega_spec(charts.staven, frame, as_titel=nl.eenheid_label(info["eenheid"])) if not frame.empty else None
    grafiek(spec, frame, naam or f"{indicator}_{periode()}")
    onderdrukt_melding(frame)
    return frame


# ---------------------------------------------------------------- the KPI tile


def _kern_rijen() -> dict[tuple[str, str], list[dict]]:
    """Every headline figure of the gemeente in every half-year, per (indicator, periode), as
    rows: one query (a few hundred rows) and one lookup table per file version, so neither a
    tile nor a period switch queries or filters a frame."""
    def bereken() -> dict[tuple[str, str], list[dict]]:
        df = queries.cijfers(indicatoren=KERN_INDICATOREN, gebieden=[queries.gemeente_code()])
        rijen: dict[tuple[str, str], list[dict]] = {}
        for r in df.to_dict("records"):
            rijen.setdefault((r["indicator"], r["periode"]), []).append(r)
        return rijen
    return queries.per_versie("kern_rijen", bereken)


def _kern_rij(kern: Kern, per: str) -> dict | None:
    rijen = _kern_rijen().get((kern.indicator, per))
    if not rijen:
        return None
    if kern.modus == "top":
        # The highest figure; on a tie the first breakdown value; no figure at all: the first row.
        met_waarde = [r for r in rijen if pd.notna(r["waarde"])]
        return max(met_waarde, key=lambda r: r["waarde"]) if met_waarde else rijen[0]
    return next((r for r in rijen if r["uitsplitsing"] == kern.uitsplitsing), None)


def _significant_verschil(rij, ref_waarde: float) -> str:
    """Only the interval can say a difference is significant; without one we say so."""
    if pd.isna(rij.get("ci_laag")) or pd.isna(rij.get("ci_hoog")):
        return "significantie niet te bepalen (geen betrouwbaarheidsinterval)"
    if rij["ci_laag"] <= ref_waarde <= rij["ci_hoog"]:
        return "verschil niet significant (binnen 95%-interval)"
    return "verschil significant (buiten 95%-interval)"


def _trend_significant(nu, vorig) -> str:
    heeft = all(pd.notna(r.get(k)) for r in (nu, vorig) for k in ("ci_laag", "ci_hoog"))
    if not heeft:
        return ""
    overlap = nu["ci_laag"] <= vorig["ci_hoog"] and vorig["ci_laag"] <= nu["ci_hoog"]
    return " (niet significant)" if overlap else " (significant: intervallen overlappen niet)"


def _delta_kleur(richting: str | None) -> str:
    r = (richting or "").lower()
    return "inverse" if "lager" in r else "normal" if "hoger" in r else "off"


def kpi_tegel(kern: Kern, per: str, links: bool = True) -> None:
    """One tile: gemeente figure, benchmark with period and status, difference, trend, links."""
    info = indicator_info(kern.indicator)
    with st.container(border=True):
        st.markdown(f"##### {md(nl.familie_label(kern.familie))}")
        rij = _kern_rij(kern, per)
        sub = info["label_nl"]
        if rij is not None and rij["uitsplitsing"]:
            prefix = "meest voorkomend: " if kern.modus == "top" else ""
            sub += f" ({prefix}{nl.uitsplitsing_label(rij['uitsplitsing'])})"
        # The full indicator name as text (a metric label would be cut off), the metric says
        # whose figure it is and when.
        st.markdown(md(sub))
        label = md(f"{queries.gemeente_naam()}, {nl.periode(per)}")
        if rij is None:
            st.metric(label, nl.GEEN_WAARDE)
            st.caption("Geen cijfer voor deze periode.")
            return
        vorig = _kern_rij(Kern(kern.familie, kern.indicator, rij["uitsplitsing"]), nl.vorige_periode(per))
        delta = None
        trendtekst = f"Geen cijfer voor {nl.periode(nl.vorige_periode(per))}."
        if vorig is not None and not rij["onderdrukt"] and not vorig["onderdrukt"] and pd.notna(vorig["waarde"]):
            delta = nl.verschil(rij["waarde"] - vorig["waarde"], info["eenheid"])
            trendtekst = (f"t.o.v. {nl.periode(vorig['periode'])}: {delta}"
                          f"{_trend_significant(rij, vorig)}")
        st.metric(label, waarde_tekst(rij), delta=delta, delta_color=_delta_kleur(info.get("richting")),
                  help=md(info["definitie"]) if info.get("definitie") else None)
        if rij["onderdrukt"]:
            st.caption(f"{ONDERDRUKT_ICOON} Onderdrukt: {md(reden_onderdrukt(rij))}")
        st.caption(md(trendtekst))
        _benchmark_regel(kern, rij, info)
        c1, c2 = st.columns(2)
        if links:
            c1.page_link(PAGINA[kern.familie], label="Meer", icon=":material/bar_chart:")
        # Capaciteit and integraliteit exist for the gemeente only: no link to an empty page.
        if heeft_wijken(kern.indicator, per):
            c2.page_link(
                PAGINA["wijken"], label="Per wijk", icon=":material/map:",
                query_params={"indicator": kern.indicator, "uitsplitsing": rij["uitsplitsing"]},
            )


def heeft_wijken(indicator: str, per: str) -> bool:
    return indicator in queries.indicatoren_met_wijken(per)


def familie_tegels(familie: str) -> None:
    """The family's headline tiles (the same as on the overview) at the top of its page."""
    kernen = [k for k in KERNCIJFERS if k.familie == familie]
    for kolom, kern in zip(st.columns(3), kernen):
        with kolom:
            kpi_tegel(kern, periode(), links=False)


def _kern_benchmarks() -> dict[tuple[str, str, str], dict]:
    """The benchmark of each headline figure per (indicator, uitsplitsing, periode): one query for
    every half-year, one lookup table per file version."""
    def bereken() -> dict[tuple[str, str, str], dict]:
        bm = queries.benchmarks(indicatoren=KERN_INDICATOREN)
        uit: dict[tuple[str, str, str], dict] = {}
        for r in bm.to_dict("records"):
            uit.setdefault((r["indicator"], r["uitsplitsing"], r["periode"]), r)
        return uit
    return queries.per_versie("kern_benchmarks", bereken)


def _benchmark_regel(kern: Kern, rij, info: dict) -> None:
    b = _kern_benchmarks().get((kern.indicator, rij["uitsplitsing"], rij["periode"]))
    if b is None:
        tekst = "Geen landelijk cijfer."
        if "stap" in nl.parse_uitsplitsing(rij["uitsplitsing"]):
            tekst = (f"Geen landelijk cijfer (wachttijden worden landelijk niet verzameld); "
                     f"norm: {termijn_tekst(rij['uitsplitsing'])}.")
        st.caption(md(tekst))
        return
    regel = f"**{md(b['label'])}**: {md(nl.waarde(b['waarde'], info['eenheid']))}"
    if not rij["onderdrukt"] and pd.notna(rij["waarde"]):
        regel += " " + md(f"· verschil {nl.verschil(rij['waarde'] - b['waarde'], info['eenheid'])}, "
                    f"{_significant_verschil(rij, b['waarde'])}")
    st.caption(regel)


# ---------------------------------------------------------------- selectors kept in the URL


def periode_label() -> str:
    return nl.periode(periode())


NIEUW_BEZOEK_KEY = "_nieuw_bezoek"


def url_waarde(param: str, bekend: Collection[str]) -> str | None:
    """?param= from the address when it is one of the `bekend` codes (anything else in the
    address is ignored: it never reaches a query or the screen), and only on the first run of a
    page visit (a followed link, an opened or shared address). Later runs of the same visit ignore
    it: a rerun racing the user's own change (a new build arriving, say) still carries the address
    of before that change, and must not undo it. Our own writes keep the address in step for
    sharing."""
    if not st.session_state.get(NIEUW_BEZOEK_KEY, True):
        return None
    gevraagd = st.query_params.get(param)
    return gevraagd if gevraagd is not None and gevraagd in bekend else None


def url_keuze(label: str, opties: list[str], key: str, param: str, format_func=str,
              standaard: str | None = None, **kwargs) -> str:
    """A selectbox whose choice lives in the URL (?param=...), so a link can preselect it.

    The query parameter wins when it names a valid option (a link was followed); a change by the
    user is written back, so both always agree and the page can be shared.
    """
    gevraagd = url_waarde(param, opties)
    if gevraagd is not None and st.session_state.get(key) != gevraagd:
        st.session_state[key] = gevraagd
    if st.session_state.get(key) not in opties:
        st.session_state[key] = standaard if standaard in opties else opties[0]

    @veilig
    def _naar_url() -> None:
        st.query_params[param] = st.session_state[key]

    return st.selectbox(label, opties, key=key, format_func=format_func, on_change=_naar_url, **kwargs)


def stap_kiezer() -> str:
    """The stage shown in the waiting-time trends (all six stages, gemeente level)."""
    df = queries.cijfers(indicatoren=["wachtend"], gebieden=[queries.gemeente_code()])
    stappen = sorted(df["uitsplitsing"].unique()) or [""]
    return url_keuze("Team en stap", stappen, key="stap", param="stap",
                     format_func=nl.uitsplitsing_label, standaard="stap=melding_gesprek;team=wmo")


def top_per_wijk(indicator: str) -> pd.DataFrame:
    """Per wijk the breakdown value with the highest figure (suppressed cells never win)."""
    df = queries.cijfers(indicatoren=[indicator], periodes=[periode()], soort="wijk")
    df = df[~df["onderdrukt"] & df["waarde"].notna()]
    if df.empty:
        st.info("Geen cijfers per wijk voor deze periode.")
        return df
    top = df.sort_values(["gebied_code", "waarde"], ascending=[True, False]).groupby("gebied_code").head(1)
    frame = pd.DataFrame({
        "gebied_code": top["gebied_code"].to_numpy(),
        "gebied_naam": top["gebied_naam"].to_numpy(),
        "categorie": top["uitsplitsing"].map(nl.uitsplitsing_label).to_numpy(),
        "waarde": top["waarde"].to_numpy(),
        "waarde_tekst": [waarde_tekst(r) for r in top.to_dict("records")],
    })
    st.dataframe(
        frame.rename(columns=DOWNLOAD_KOPPEN), hide_index=True, width="stretch",
        column_config={"Waarde": st.column_config.NumberColumn(format="localized")},
    )
    downloads(frame, f"{indicator}_top_per_wijk_{periode()}")
    return frame


# ---------------------------------------------------------------- wijken: grid, table, profile

WIJK_KEY = "wijk_keuze"
_NONCE = "wijk_nonce"
GEMEENTE_KEUZE = ""


def wijk_indicatoren() -> list[str]:
    """Indicators that have figures per wijk in the chosen period."""
    return sorted(queries.indicatoren_met_wijken(periode()))


def uitsplitsingen(indicator: str) -> list[str]:
    df = queries.cijfers(indicatoren=[indicator], periodes=[periode()], soort="wijk")
    return sorted(df["uitsplitsing"].unique())


def wijk_frame(indicator: str, uitsplitsing: str) -> pd.DataFrame:
    """Every wijk's figure for one indicator and breakdown, placed on a tile grid."""
    df = queries.cijfers(indicatoren=[indicator], periodes=[periode()], soort="wijk")
    df = df[df["uitsplitsing"] == uitsplitsing].sort_values("gebied_code").reset_index(drop=True)
    rijen = df.to_dict("records")
    posities = charts.raster_posities(len(df))
    frame = pd.DataFrame({
        "gebied_code": df["gebied_code"],
        "gebied_naam": df["gebied_naam"],
        "rij": [p[0] for p in posities],
        "kolom": [p[1] for p in posities],
        "waarde": df["waarde"],
        "teller": df["teller"],
        "noemer": df["noemer"],
        "ci_laag": df["ci_laag"],
        "ci_hoog": df["ci_hoog"],
        "inwoners": [nl.inwoners(r["inwoners"], r["inwoners_geschat"]) for r in rijen],
        "waarde_tekst": [waarde_tekst(r) for r in rijen],
        "toelichting": [toelichting(r) for r in rijen],
        "onderdrukt": df["onderdrukt"].astype(bool),
    })
    frame.attrs.update(indicator=indicator, uitsplitsing=uitsplitsing)
    return frame


def kies_wijk(code: str) -> None:
    """Drill down to a wijk (or back to the gemeente with ''), keeping the URL in step."""
    st.session_state[WIJK_KEY] = code
    if code:
        st.query_params["wijk"] = code
    else:
        st.query_params.pop("wijk", None)
        # New widget keys clear the selection in the grid and table, else it would re-select.
        st.session_state[_NONCE] = st.session_state.get(_NONCE, 0) + 1


def _uit_raster(key: str) -> None:
    punten = st.session_state[key].selection.get("wijk", [])
    if punten:
        kies_wijk(punten[0]["gebied_code"])


def _uit_tabel(key: str, codes: list[str]) -> None:
    rijen = st.session_state[key].selection.rows
    if rijen:
        kies_wijk(codes[rijen[0]])


def wijk_raster(frame: pd.DataFrame, titel: str) -> None:
    """The tile grid; a click on a tile opens that wijk's profile."""
    key = f"raster_{st.session_state.get(_NONCE, 0)}"
    gekozen = st.session_state.get(WIJK_KEY) or None
    # One spec per frame; the chosen wijk (its border) is set in the copy, not rebuilt per wijk.
    spec = charts.zet_keuze(vega_spec(charts.raster, frame, selectie="wijk"), "wijk", gekozen) if not frame.empty else None
    grafiek(spec, frame, "wijken_raster", key=key, on_select=veilig(lambda: _uit_raster(key)),
            selection_mode="wijk")
    onderdrukt_melding(frame)
    onbekend_melding(frame)


def onbekend_melding(frame: pd.DataFrame) -> None:
    """Records without a known wijk count for the gemeente but on no tile: say how many."""
    if frame.empty:
        return
    df = queries.cijfers(indicatoren=[frame.attrs["indicator"]], periodes=[periode()], soort="onbekend")
    df = df[df["uitsplitsing"] == frame.attrs["uitsplitsing"]]
    if not df.empty:
        st.caption(f"Wijk onbekend (telt mee in de gemeente, niet in een wijk): {md(waarde_tekst(df.iloc[0]))}.")


def wijk_tabel(frame: pd.DataFrame) -> None:
    """Sortable (click a column header); selecting a row opens that wijk's profile."""
    key = f"tabel_{st.session_state.get(_NONCE, 0)}"
    codes = frame["gebied_code"].tolist()
    # What a reader needs first; empty columns (no intervals for this indicator) left out.
    volgorde = ["gebied_naam", "waarde_tekst", "waarde", "teller", "noemer", "ci_laag", "ci_hoog",
                "inwoners", "toelichting", "onderdrukt", "gebied_code"]
    getoond = frame[volgorde].dropna(axis=1, how="all")
    toon = getoond.rename(columns=DOWNLOAD_KOPPEN)
    st.dataframe(
        toon, hide_index=True, width="stretch", key=key, on_select=veilig(lambda: _uit_tabel(key, codes)),
        selection_mode="single-row",
        column_config={k: st.column_config.NumberColumn(format="localized") for k in
                       ("Waarde", "Teller", "Noemer", "Ondergrens 95%-interval", "Bovengrens 95%-interval")},
    )
    downloads(getoond, "wijken_tabel")


def wijk_kiezer() -> str:
    """Selectbox of the wijken ('' = gemeente as a whole), synced with ?wijk= and the clicks."""
    namen = queries.wijk_namen()
    gemeente = f"{queries.gemeente_naam()} (hele gemeente)"
    opties = [GEMEENTE_KEUZE, *namen]
    gevraagd = url_waarde("wijk", namen)
    if gevraagd is not None and st.session_state.get(WIJK_KEY) != gevraagd:
        st.session_state[WIJK_KEY] = gevraagd
    if st.session_state.get(WIJK_KEY) not in opties:
        st.session_state[WIJK_KEY] = GEMEENTE_KEUZE
    return st.selectbox(
        "Wijkprofiel", opties, key=WIJK_KEY,
        format_func=lambda c: namen.get(c, gemeente),
        on_change=veilig(lambda: kies_wijk(st.session_state[WIJK_KEY])),
    )


def _profiel_kern(df: pd.DataFrame, wijk: str, gm: str, indicator: str, uitsplitsing: str) -> None:
    """The chosen indicator for the wijk beside the gemeente, as two figures (`df`: every
    figure of the wijk and the gemeente in the period)."""
    df = df[(df["indicator"] == indicator) & (df["uitsplitsing"] == uitsplitsing)]
    st.markdown(f"**{md(indicator_info(indicator)['label_nl'])} ({md(nl.uitsplitsing_label(uitsplitsing))})**")
    kolommen = st.columns(3)
    for kolom, code in zip(kolommen, (wijk, gm)):
        rij = df[df["gebied_code"] == code]
        if rij.empty:
            kolom.metric(md(code), nl.GEEN_WAARDE, help="Geen cijfer voor dit gebied.")
            continue
        r = rij.iloc[0]
        kolom.metric(md(r["gebied_naam"]), waarde_tekst(r), border=True,
                     help=md(toelichting(r)) if toelichting(r) else None)


def wijk_profiel(wijk: str, indicator: str, uitsplitsing: str) -> None:
    """Every indicator of one wijk beside the gemeente; the chosen indicator's family first."""
    gm = queries.gemeente_code()
    g = queries.gebieden().set_index("gebied_code")
    w = g.loc[wijk]
    st.subheader(f"Wijkprofiel {md(w['gebied_naam'])} – {md(periode_label())}")
    st.caption(f"Inwoners: {md(nl.inwoners(w['inwoners'], w['inwoners_geschat']))}. "
               "Vergelijking met de gemeente als geheel.")
    st.button("← Terug naar de gemeente", on_click=veilig(kies_wijk), args=(GEMEENTE_KEUZE,), key="terug")
    # Every figure of the wijk and the gemeente in the period (picked from the half-year's
    # figures, which the grid above already read).
    df = queries.cijfers(periodes=[periode()], gebieden=[wijk, gm])
    _profiel_kern(df, wijk, gm, indicator, uitsplitsing)
    sectie_trend(indicator, uitsplitsingen=[uitsplitsing], gebieden=[wijk, gm],
                 titel=f"{indicator_info(indicator)['label_nl']} ({nl.uitsplitsing_label(uitsplitsing)}): "
                       f"{w['gebied_naam']} en {queries.gemeente_naam()}",
                 naam=f"profiel_{wijk}_trend")
    eigen = df[df["gebied_code"] == wijk]
    # The gemeente's text per (indicator, uitsplitsing), looked up per row of the wijk.
    gem = {(r["indicator"], r["uitsplitsing"]): waarde_tekst(r)
           for r in df[df["gebied_code"] == gm].to_dict("records")}
    gekozen_familie = indicator_info(indicator).get("familie")
    volgorde = list(nl.FAMILIES)
    families = sorted(eigen["familie"].fillna("").unique(), key=lambda f: (
        f != gekozen_familie, volgorde.index(f) if f in volgorde else len(volgorde), f))
    for familie in families:
        deel = eigen[eigen["familie"].fillna("") == familie]
        rijen = deel.to_dict("records")
        frame = pd.DataFrame({
            "indicator": deel["label_nl"].to_numpy(),
            "categorie": deel["uitsplitsing"].map(nl.uitsplitsing_label).to_numpy(),
            "waarde": deel["waarde"].to_numpy(),
            "waarde_tekst": [waarde_tekst(r) for r in rijen],
            "gemeente": [gem.get((r["indicator"], r["uitsplitsing"]), nl.GEEN_WAARDE) for r in rijen],
            "toelichting": [toelichting(r) for r in rijen],
            "onderdrukt": deel["onderdrukt"].astype(bool).to_numpy(),
        })
        with st.expander(md(nl.familie_label(familie)), expanded=familie == gekozen_familie):
            koppen = {**DOWNLOAD_KOPPEN, "indicator": "Indicator", "waarde_tekst": w["gebied_naam"],
                      "gemeente": queries.gemeente_naam()}
            st.dataframe(frame.drop(columns=["waarde"]).rename(columns=koppen), hide_index=True,
                         width="stretch")
            downloads(frame, f"profiel_{wijk}_{familie}")


# ---------------------------------------------------------------- datakwaliteit

KWALITEIT_KOPPEN = {
    "bron": "Bron", "bestand": "Bestand", "bestanden": "Bestanden", "build_id": "Build",
    "exportdatum": "Exportdatum", "laatste_exportdatum": "Laatste export",
    "rijen_gelezen": "Rijen gelezen", "rijen_geladen": "Rijen geladen",
    "rijen_quarantaine": "Rijen in quarantaine", "rijen_vervangen": "Rijen vervangen",
    "suite": "Suite", "expectation": "Controle", "kolom": "Kolom", "geslaagd": "Geslaagd",
    "ernst": "Ernst", "details": "Details", "reden": "Reden", "aantal": "Aantal",
}


def _kwaliteit_tabel(df: pd.DataFrame, naam: str) -> None:
    """A data-quality table: dates as '1 juli 2025', counts localized, downloads of the same rows."""
    toon = df.copy()
    for kol in ("exportdatum", "laatste_exportdatum"):
        if kol in toon.columns:
            toon[kol] = toon[kol].map(nl.datum)
    toon = toon.rename(columns=KWALITEIT_KOPPEN)
    if toon.empty:
        st.info("Geen gegevens.")
        return
    getallen = {k: st.column_config.NumberColumn(format="localized")
                for k in toon.columns if pd.api.types.is_numeric_dtype(toon[k])}
    st.dataframe(toon, hide_index=True, width="stretch", column_config=getallen)
    downloads(toon, naam)


def tabel_met_download(naam: str) -> None:
    _kwaliteit_tabel(getattr(queries, naam)(), naam)


def build_samenvatting() -> None:
    info = queries.build_info()
    b = queries.builds()
    k = st.columns([3, 2, 2, 2])
    if not info.empty:
        k[0].metric("Laatste build", nl.datum(info["gebouwd_op"].iloc[0]))
    if not b.empty:
        laatste = b.iloc[0]
        k[1].metric("Rijen geladen", nl.getal(laatste["rijen_geladen"]))
        k[2].metric("In quarantaine", nl.getal(laatste["rijen_quarantaine"]))
        k[3].metric("Vervangen door latere export", nl.getal(laatste["rijen_vervangen"]))


def validatie_overzicht() -> None:
    v = queries.validatie()
    if v.empty:
        st.info("Geen controle-uitkomsten in dit warehouse.")
        return
    mislukt = v[~v["geslaagd"].astype(bool)]
    st.metric("Controles geslaagd", f"{nl.getal(len(v) - len(mislukt))} van {nl.getal(len(v))}")
    if mislukt.empty:
        st.success("Alle controles geslaagd.", icon=":material/check_circle:")
    else:
        st.warning(f"{nl.getal(len(mislukt))} controle(s) niet geslaagd:", icon=":material/warning:")
        _kwaliteit_tabel(mislukt, "validatie_mislukt")
    with st.expander("Alle controles"):
        _kwaliteit_tabel(v, "validatie")


def quarantaine_overzicht() -> None:
    q = queries.quarantaine_redenen()
    if q.empty:
        st.success("Geen rijen in quarantaine.", icon=":material/check_circle:")
        return
    frame = pd.DataFrame({
        "categorie": (q["bron"] + " · " + q["kolom"].where(q["kolom"] != "", "regel") + " · " + q["reden"]).to_numpy(),
        "waarde": q["aantal"].astype(float).to_numpy(),
        "waarde_tekst": q["aantal"].map(nl.getal).to_numpy(),
        "toelichting": "",
        "onderdrukt": False,
    }).head(25)
    st.markdown("**Aantal rijen per bron, kolom en reden** (de 25 meest voorkomende)")
    grafiek(vega_spec(charts.staven, frame, as_titel="rijen"), frame, "quarantaine_redenen")
    with st.expander("Alle redenen"):
        _kwaliteit_tabel(q, "quarantaine_redenen_alle")
