"""`sdmonitor report`: the half-yearly raadsbriefing as PDF, with the same content as HTML beside it.

    write_report(warehouse, "2025-H2", Path("briefing.pdf"))  ->  briefing.pdf + briefing.html

How it is made:
1. `maak_rapport` reads the published warehouse through sdmonitor.warehouse (the same read-only
   queries as the dashboard) and builds a small document model: a cover and sections made of
   headings, paragraphs, tables and figures. Every figure is formatted by sdmonitor.nl, every
   sentence by sdmonitor.report_text (which respects significance and suppression).
2. The charts are the dashboard's own Altair specs (sdmonitor.charts), rendered to PNG with
   vl-convert, so the paper and the screen never disagree.
3. `pdf_bytes` (fpdf2) and `html_tekst` (self-contained, print stylesheet) render the same model.

The headline figures per family are sdmonitor.kerncijfers.KERNCIJFERS, the list the overview
page uses. A suppressed cell is never printed: its value is null in the warehouse, and the code
below also ignores any value on a row marked onderdrukt.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sdmonitor import nl
from sdmonitor import warehouse as wh
from sdmonitor.chartdata import benchmark_frame, figuur_frame
from sdmonitor.config import Config
from sdmonitor.errors import MonitorError
from sdmonitor.kerncijfers import KERNCIJFERS, Kern
from sdmonitor.report_text import (
    ONDERDRUKT_TEKST,
    Benchmark,
    Cijfer,
    onderwerp,
    zin_benchmark,
    zin_ontwikkeling,
)

# The plan's question behind each family (monitor-spec.md), printed under its heading.
VRAGEN = {
    "vindbaarheid": "Hoe bereikbaar en herkenbaar is de toegang voor inwoners?",
    "voorliggend_veld": "Is er verschuiving waarneembaar naar voorliggende voorzieningen?",
    "wachtlijsten": "Is er sprake van wachtlijsten, wat zijn de doorlooptijden?",
    "overgang_18": "Is er een goede overgang tussen 18- en 18+?",
    "capaciteit": "Zijn we voldoende toegerust?",
    "vraagpatroon": "Welke vragen en problematieken komen het vaakst voor?",
    "integraliteit": "Hoe integraal werkt de toegang (1 huishouden, 1 plan, 1 regisseur)?",
}

# Figures divided by inhabitants: labelled as resting on an estimated inhabitant count.
PER_INWONER = {"maatwerk_per_1000", "pct_jeugd_met_jeugdhulp"}

# How many half-years a trend chart shows, up to and including the report's period.
TREND_PERIODES = 10
GRAFIEK_BREEDTE = {"trend": 640, "staven": 440}  # px of the plot in the Vega spec (scale 2)


@dataclass(frozen=True)
class Grafiek:
    """Which chart of the dashboard a family shows in the report."""

    soort: str  # "trend" or "staven"
    indicator: str
    extra: tuple[str, ...] = ()
    uitsplitsingen: tuple[str, ...] | None = None
    met_norm: bool = False
    titel: str | None = None


# One chart per family: the first chart of the family's dashboard page (or its clearest one).
GRAFIEKEN = {
    "vindbaarheid": Grafiek("trend", "pct_wist_waar"),
    "voorliggend_veld": Grafiek("trend", "pct_voorliggend"),
    "wachtlijsten": Grafiek("staven", "pct_binnen_termijn", titel="Binnen de wettelijke termijn per stap"),
    "overgang_18": Grafiek("trend", "pct_vervolg_geregeld", extra=("pct_zorggat",),
                           titel="Vervolg na 18 geregeld en zorggat"),
    "capaciteit": Grafiek("staven", "bezettingsgraad", titel="Bezettingsgraad per team"),
    "vraagpatroon": Grafiek("staven", "hulpvragen", titel="Hulpvragen per domein"),
    "integraliteit": Grafiek("trend", "pct_huishoudens_multi_team"),
}


# ---------------------------------------------------------------- the document model


@dataclass
class Kop:
    tekst: str
    niveau: int = 1


@dataclass
class Alinea:
    tekst: str
    stijl: str = "normaal"  # normaal, klein, vraag, let_op


@dataclass
class Opsomming:
    items: list[str]


@dataclass
class Tabel:
    koppen: list[str]
    rijen: list[list[str]]
    breedtes: tuple[float, ...] | None = None  # relative column widths


@dataclass
class Figuur:
    png: bytes
    titel: str
    bijschrift: str = ""


@dataclass
class Sectie:
    titel: str
    blokken: list = field(default_factory=list)


@dataclass
class Rapport:
    gemeente: str
    periode: str
    titel: str
    voorblad: list[str]
    secties: list[Sectie]

    @property
    def periode_label(self) -> str:
        return nl.periode(self.periode)


# ---------------------------------------------------------------- reading the warehouse


def _controleer(path: Path, periode: str) -> pd.DataFrame:
    """Raise MonitorError (Dutch) for a missing or unreadable warehouse or an unknown period."""
    if not re.fullmatch(r"\d{4}-H[12]", periode or ""):
        raise MonitorError(
            f"Periode '{periode}' is geen halfjaar. Geef een periode als 2025-H2 "
            "(H1 = januari-juni, H2 = juli-december)."
        )
    try:
        wh.controleer(path)
        per = wh.periodes(path)
    except MonitorError:
        raise
    except Exception as exc:  # any other read failure: a damaged file
        raise MonitorError(
            f"Het warehouse {path} kan niet worden gelezen (beschadigd?). Bouw het opnieuw met "
            f"'sdmonitor build'. Technische melding: {exc}"
        ) from exc
    if periode not in set(per["periode"]):
        bereik = (f"{per['periode'].iloc[0]} t/m {per['periode'].iloc[-1]}" if not per.empty
                  else "geen")
        raise MonitorError(
            f"Periode {periode} ({nl.periode(periode)}) staat niet in het warehouse; "
            f"beschikbare periodes: {bereik}."
        )
    return per


@dataclass
class _Bron:
    """What the report reads once, shared by all sections."""

    path: Path
    periode: str
    vorige: str
    gm: str
    gemeente: str
    indicatoren: pd.DataFrame
    cijfers: pd.DataFrame  # gemeente rows, all indicators, periods up to the report's period
    benchmarks: pd.DataFrame
    termijnen: pd.DataFrame
    gebieden: pd.DataFrame
    periodes: pd.DataFrame

    def info(self, indicator: str) -> dict:
        rij = self.indicatoren[self.indicatoren["indicator"] == indicator]
        if rij.empty:
            return {"indicator": indicator, "label_nl": indicator, "eenheid": "", "richting": ""}
        return rij.iloc[0].to_dict()

    def rij(self, indicator: str, periode: str, uitsplitsing: str) -> dict | None:
        c = self.cijfers
        r = c[(c["indicator"] == indicator) & (c["periode"] == periode)
              & (c["uitsplitsing"] == uitsplitsing)]
        return r.iloc[0].to_dict() if not r.empty else None

    def kern_rij(self, kern: Kern, periode: str) -> dict | None:
        """The headline row as the overview picks it (modus 'top': the highest, never a suppressed one)."""
        if kern.modus != "top":
            return self.rij(kern.indicator, periode, kern.uitsplitsing)
        c = self.cijfers
        r = c[(c["indicator"] == kern.indicator) & (c["periode"] == periode)]
        if r.empty:
            return None
        r = r.assign(_w=r["waarde"].where(~r["onderdrukt"].astype(bool)))
        return r.sort_values("_w", ascending=False, na_position="last").iloc[0].drop("_w").to_dict()

    def benchmark(self, indicator: str, uitsplitsing: str) -> Benchmark | None:
        b = self.benchmarks
        r = b[(b["indicator"] == indicator) & (b["periode"] == self.periode)
              & (b["uitsplitsing"] == uitsplitsing)]
        if r.empty or pd.isna(r["waarde"].iloc[0]):
            return None
        r = r.iloc[0]
        soort = str(r.get("benchmark_soort") or "")
        naam = str(r.get("benchmark_gebied_naam") or str(r["label"]).split(",")[0])
        return Benchmark(
            waarde=float(r["waarde"]), naam=naam, label=str(r["label"]),
            landelijk=soort == "nederland" or str(r.get("benchmark_gebied_code")) == "NL01",
            ci_laag=r.get("ci_laag"), ci_hoog=r.get("ci_hoog"),
        )

    def termijn(self, uitsplitsing: str) -> float | None:
        d = nl.parse_uitsplitsing(uitsplitsing)
        t = self.termijnen
        r = t[(t["team"] == d.get("team")) & (t["stap"] == d.get("stap"))]
        return float(r["termijn_dagen"].iloc[0]) if not r.empty else None

    @property
    def inwoners_geschat(self) -> bool:
        g = self.gebieden
        return bool(g["inwoners_geschat"].fillna(False).astype(bool).any())


def _lees(path: Path, periode: str, config: Config | None) -> _Bron:
    per = _controleer(path, periode)
    eerdere = [p for p in per["periode"] if p <= periode]
    gebieden = wh.gebieden(path)
    gm_rij = gebieden[gebieden["soort"] == wh.GEMEENTE]
    gm = str(gm_rij["gebied_code"].iloc[0]) if not gm_rij.empty else (
        config.gemeente_code if config else "")
    gemeente = (str(gm_rij["gebied_naam"].iloc[0]) if not gm_rij.empty
                and pd.notna(gm_rij["gebied_naam"].iloc[0]) else "")
    if not gemeente or gemeente == gm:
        gemeente = config.gemeente_naam if config else (gemeente or "Gemeente")
    return _Bron(
        path=path, periode=periode, vorige=nl.vorige_periode(periode), gm=gm, gemeente=gemeente,
        indicatoren=wh.indicatoren(path),
        cijfers=wh.cijfers(path, periodes=eerdere, gebieden=[gm]),
        benchmarks=wh.benchmarks(path, periodes=eerdere),
        termijnen=wh.termijnen(path),
        gebieden=gebieden,
        periodes=per,
    )


# ---------------------------------------------------------------- cells and sentences


def waarde_tekst(rij: dict | None, eenheid: str | None) -> str:
    """A cell as printed: 'onderdrukt (privacy)' for a suppressed cell, never its value."""
    if rij is None:
        return nl.GEEN_WAARDE
    if bool(rij.get("onderdrukt")):
        return ONDERDRUKT_TEKST
    return nl.waarde(rij.get("waarde"), eenheid)


def _zichtbaar(rij: dict | None) -> bool:
    return rij is not None and not bool(rij.get("onderdrukt")) and pd.notna(rij.get("waarde"))


def _geen_benchmark_tekst(bron: _Bron, uitsplitsing: str) -> str:
    if "stap" in nl.parse_uitsplitsing(uitsplitsing):
        dagen = bron.termijn(uitsplitsing)
        norm = (f"de wettelijke termijn is {nl.getal(dagen)} dagen" if dagen is not None
                else "er is ook geen wettelijke termijn")
        return f"Er is geen landelijk cijfer (wachttijden worden landelijk niet verzameld); {norm}."
    return "Er is geen landelijk vergelijkingscijfer."


def _vergelijking_cel(bron: _Bron, bm: Benchmark | None, uitsplitsing: str, eenheid: str) -> str:
    if bm is not None:
        return f"{nl.waarde(bm.waarde, eenheid)} ({bm.label})"
    if "stap" in nl.parse_uitsplitsing(uitsplitsing):
        dagen = bron.termijn(uitsplitsing)
        return (f"geen landelijk cijfer; norm {nl.getal(dagen)} dagen (wettelijke termijn)"
                if dagen is not None else "geen landelijk cijfer; geen wettelijke termijn")
    return "geen landelijk cijfer"


def _kern_blokken(bron: _Bron, kernen: list[Kern]) -> tuple[Tabel, list[str], list[str]]:
    """The family's headline table, its sentences and its caveats."""
    rijen, zinnen, kanttekeningen = [], [], []
    for kern in kernen:
        info = bron.info(kern.indicator)
        eenheid = info.get("eenheid") or ""
        nu = bron.kern_rij(kern, bron.periode)
        uitsplitsing = nu["uitsplitsing"] if nu is not None else kern.uitsplitsing
        vorig = bron.rij(kern.indicator, bron.vorige, uitsplitsing)
        label = info.get("label_nl") or kern.indicator
        if uitsplitsing:
            prefix = "meest voorkomend: " if kern.modus == "top" else ""
            label += f" ({prefix}{nl.uitsplitsing_label(uitsplitsing)})"
        if kern.indicator in PER_INWONER and bron.inwoners_geschat:
            label += " – op een geschat inwonertal"
            kanttekeningen.append(
                f"{info.get('label_nl')}: berekend op een geschat inwonertal (schatting), "
                "niet op een telling.")
        verschil = (nl.verschil(nu["waarde"] - vorig["waarde"], eenheid)
                    if _zichtbaar(nu) and _zichtbaar(vorig) else nl.GEEN_WAARDE)
        bm = bron.benchmark(kern.indicator, uitsplitsing)
        rijen.append([label, waarde_tekst(nu, eenheid), waarde_tekst(vorig, eenheid), verschil,
                      _vergelijking_cel(bron, bm, uitsplitsing, eenheid)])

        subject = onderwerp(kern.indicator, info.get("label_nl"),
                            uitsplitsing if kern.modus != "top" else None)
        if kern.modus == "top" and nu is not None and uitsplitsing:
            subject += f" in het meest voorkomende domein, {nl.uitsplitsing_label(uitsplitsing)},"
            subject = subject.replace(",,", ",")
        c_nu = Cijfer.uit_rij(nu) if nu is not None else Cijfer(periode=bron.periode)
        c_vorig = Cijfer.uit_rij(vorig) if vorig is not None else None
        zin = zin_ontwikkeling(subject, c_nu, c_vorig, eenheid)
        if c_nu.zichtbaar and (c_vorig is None or not c_vorig.zichtbaar):
            # A yearly survey has no figure in the other half-year: compare with a year earlier.
            jaar = bron.rij(kern.indicator, nl.vorige_periode(bron.vorige), uitsplitsing)
            if _zichtbaar(jaar):
                zin += " " + zin_ontwikkeling("Vergeleken met een jaar eerder: het cijfer", c_nu,
                                              Cijfer.uit_rij(jaar), eenheid)
        if c_nu.zichtbaar or bm is not None:
            zin += " " + zin_benchmark("Dat cijfer", c_nu, bm, eenheid,
                                       _geen_benchmark_tekst(bron, uitsplitsing))
        zinnen.append(zin.replace(", (", " ("))
        if kern.indicator == "pct_voorliggend" and c_nu.zichtbaar:
            basis = bron.rij("verschuiving_pp_basis", bron.periode, "")
            if _zichtbaar(basis) and basis is not None:
                zinnen.append(
                    "Ten opzichte van de basisperiode is de verschuiving naar het voorliggend veld "
                    f"{nl.procentpunt(basis['waarde'])}.")
    koppen = ["Kerncijfer", bron_periode_kop(bron.periode), bron_periode_kop(bron.vorige),
              "Verschil", "Vergelijking"]
    return Tabel(koppen, rijen, (34, 13, 13, 14, 26)), zinnen, kanttekeningen


def bron_periode_kop(periode: str) -> str:
    return nl.periode(periode)


# ---------------------------------------------------------------- charts (the dashboard's specs)


def _trend_frame(bron: _Bron, g: Grafiek) -> tuple[pd.DataFrame, str]:
    codes = [g.indicator, *g.extra]
    # Like the dashboard: no trend points from before the first export (partial history),
    # unless the report itself is about such a period.
    per = bron.periodes[bron.periodes["volledige_historie"]]
    if per.empty or bron.periode not in set(per["periode"]):
        per = bron.periodes
    perioden = [p for p in per["periode"] if p <= bron.periode][-TREND_PERIODES:]
    c = bron.cijfers
    df = c[c["indicator"].isin(codes) & c["periode"].isin(perioden)]
    if g.uitsplitsingen is not None:
        df = df[df["uitsplitsing"].isin(g.uitsplitsingen)]
    eenheid = bron.info(g.indicator).get("eenheid") or ""
    meerdere = df["uitsplitsing"].nunique() > 1
    delen = []
    if len(codes) == 1 and not meerdere:
        delen.append(df["gebied_naam"])
    if len(codes) > 1:
        delen.append(df["label_nl"])
    if meerdere:
        delen.append(df["uitsplitsing"].map(nl.uitsplitsing_label))
    reeks = delen[0]
    for deel in delen[1:]:
        reeks = reeks + " – " + deel
    frame = figuur_frame(df, reeks=reeks)
    b = bron.benchmarks
    bm = b[(b["indicator"] == g.indicator) & b["periode"].isin(perioden)
           & b["uitsplitsing"].isin(df["uitsplitsing"].unique())]
    if not bm.empty:
        frame = pd.concat([frame, benchmark_frame(bm, eenheid, meerdere)], ignore_index=True)
    return frame, eenheid


def _staven_frame(bron: _Bron, g: Grafiek) -> tuple[pd.DataFrame, str]:
    codes = [g.indicator, *g.extra]
    c = bron.cijfers
    df = c[c["indicator"].isin(codes) & (c["periode"] == bron.periode)]
    if g.uitsplitsingen is not None:
        df = df[df["uitsplitsing"].isin(g.uitsplitsingen)]
    eenheid = bron.info(g.indicator).get("eenheid") or ""
    kolommen = {"categorie": df["uitsplitsing"].map(nl.uitsplitsing_label)}
    if len(codes) > 1:
        kolommen["reeks"] = df["label_nl"]
    if g.met_norm:
        kolommen["norm"] = df["uitsplitsing"].map(bron.termijn)
    return figuur_frame(df, **kolommen), eenheid


def _zonder_nan(x):
    """Vega-Lite JSON has no NaN: an empty cell is null (a suppressed value breaks the line)."""
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: _zonder_nan(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_zonder_nan(v) for v in x]
    return x


def _png(chart, breedte: int = 640) -> bytes:
    """The chart as PNG (vl-convert), at a fixed width: 'container' has no meaning on paper."""
    import vl_convert

    spec = _zonder_nan(chart.properties(width=breedte).to_dict())
    return vl_convert.vegalite_to_png(json.dumps(spec, allow_nan=False), scale=2)


def _as_titel(eenheid: str) -> str:
    """The axis title the dashboard gives a unit ('procent' for '%'), where nl has it."""
    label = getattr(nl, "eenheid_label", None)
    return label(eenheid) if label else eenheid


def _figuur(bron: _Bron, familie: str) -> Figuur | None:
    from sdmonitor import charts

    g = GRAFIEKEN.get(familie)
    if g is None:
        return None
    info = bron.info(g.indicator)
    if g.soort == "trend":
        frame, eenheid = _trend_frame(bron, g)
        if frame.empty:
            return None
        chart = charts.trend(frame, as_titel=_as_titel(eenheid))
        titel = g.titel or info.get("label_nl") or g.indicator
        titel += f" – {nl.periode(frame['periode'].min())} t/m {bron_periode_kop(bron.periode)}"
    else:
        frame, eenheid = _staven_frame(bron, g)
        if frame.empty:
            return None
        chart = charts.staven(frame, as_titel=_as_titel(eenheid))
        titel = f"{g.titel or info.get('label_nl')} – {nl.periode(bron.periode)}"
    bijschrift = []
    if frame["onderdrukt"].any():
        bijschrift.append(f"× = onderdrukt (privacy): {int(frame['onderdrukt'].sum())} cel(len).")
    if g.soort == "trend" and frame["ci_laag"].notna().any():
        bijschrift.append("Gekleurde band: 95%-betrouwbaarheidsinterval.")
    if g.soort == "trend" and frame["reeks"].str.contains("(benchmark)", regex=False).any():
        bijschrift.append("Benchmarks staan bij hun eigen periode; een jaarcijfer geldt voor beide halfjaren.")
    return Figuur(_png(chart, GRAFIEK_BREEDTE[g.soort]), titel, " ".join(bijschrift))


# ---------------------------------------------------------------- sections


def _familie_sectie(bron: _Bron, nummer: int, familie: str) -> Sectie:
    kernen = [k for k in KERNCIJFERS if k.familie == familie]
    s = Sectie(f"{nummer}. {nl.familie_label(familie)}")
    if familie in VRAGEN:
        s.blokken.append(Alinea(f"Vraag uit het plan: {VRAGEN[familie]}", "vraag"))
    tabel, zinnen, kanttekeningen = _kern_blokken(bron, kernen)
    s.blokken.append(tabel)
    for zin in zinnen:
        s.blokken.append(Alinea(zin))
    if (fig := _figuur(bron, familie)) is not None:
        s.blokken.append(fig)
    for k in kanttekeningen:
        s.blokken.append(Alinea(f"Let op: {k}", "let_op"))
    return s


def _kwaliteit_sectie(bron: _Bron, nummer: int) -> Sectie:
    from sdmonitor.contract import SOURCES_ORDER

    path, per = bron.path, bron.periode
    s = Sectie(f"{nummer}. Datakwaliteit en kanttekeningen")
    punten: list[str] = []

    # Is the half-year complete?
    volledig = wh.laatste_volledige_periode(path)
    if volledig and per > volledig:
        punten.append(
            f"Het {nl.periode(per)} is nog niet volledig: niet alle bronnen hebben een export van na "
            f"het eind van dit halfjaar. Het laatste volledige halfjaar is het {nl.periode(volledig)}; "
            "de cijfers kunnen nog veranderen.")

    # Sources: files, last export, rows.
    bronnen = wh.bronnen(path) if "load_log" in wh.tabellen(path) else pd.DataFrame()
    einde = bron.periodes.loc[bron.periodes["periode"] == per, "einddatum"]
    einde = pd.Timestamp(einde.iloc[0]) if not einde.empty and pd.notna(einde.iloc[0]) else None
    aanwezig = set(bronnen["bron"]) if not bronnen.empty else set()
    zonder = [b for b in SOURCES_ORDER if b not in aanwezig]
    if zonder:
        punten.append(
            f"Zonder exports: {', '.join(zonder)}. Indicatoren die deze bronnen nodig hebben "
            "ontbreken in deze briefing (ze staan niet op 0).")
    if not bronnen.empty and einde is not None:
        oud = bronnen[pd.to_datetime(bronnen["laatste_exportdatum"]) <= einde]
        if not oud.empty:
            punten.append(
                "De laatste export van " + ", ".join(
                    f"{r.bron} ({nl.datum(r.laatste_exportdatum)})" for r in oud.itertuples())
                + f" is niet van na het eind van het {nl.periode(per)}: cijfers uit die bron(nen) "
                "kunnen onvolledig zijn.")

    # Quarantine.
    q = wh.quarantaine_redenen(path)
    totaal_q = int(q["aantal"].sum()) if not q.empty else 0
    if totaal_q:
        punten.append(
            f"{nl.getal(totaal_q)} rij(en) uit de exports staan in quarantaine (niet meegeteld, "
            "omdat een waarde ongeldig was; geteld over de laatste build, alle periodes); de meest "
            "voorkomende redenen staan hieronder.")
    else:
        punten.append("Er staan geen rijen in quarantaine: alle gelezen rijen waren geldig.")

    # Validation.
    v = wh.validatie(path)
    mislukt = v[~v["geslaagd"].astype(bool)] if not v.empty else v
    if v.empty:
        punten.append("Dit warehouse bevat geen uitkomsten van de datacontroles.")
    elif mislukt.empty:
        punten.append(f"Alle {nl.getal(len(v))} datacontroles zijn geslaagd.")
    else:
        punten.append(
            f"{nl.getal(len(mislukt))} van de {nl.getal(len(v))} datacontroles van de laatste build "
            "gaven een waarschuwing of fout; zie de tabel hieronder.")

    # Suppression in this period (gemeente and wijken).
    onderdrukt = wh._df(
        path,
        "select count(*) filter (where onderdrukt) as n, count(*) as totaal "
        "from fct_indicator where periode = ?", [per])
    n_o, n_t = int(onderdrukt["n"].iloc[0] or 0), int(onderdrukt["totaal"].iloc[0] or 0)
    punten.append(
        f"Privacy: in het {nl.periode(per)} zijn {nl.getal(n_o)} van de {nl.getal(n_t)} cellen "
        "(gemeente en wijken) onderdrukt omdat ze op te kleine aantallen rusten; zulke cellen "
        "staan in deze briefing als ‘onderdrukt (privacy)’, nooit als 0.")

    # Estimates.
    if bron.inwoners_geschat:
        punten.append(
            "Schatting: de inwonertallen (gemeente en wijken) zijn schattingen. Cijfers per 1000 "
            "inwoners en het aandeel jongeren met jeugdhulp rusten daarop en zijn als schatting "
            "gemarkeerd.")
    b = bron.benchmarks
    b = b[b["periode"] == per]
    if not b.empty and "status" in b.columns and (b["status"] == "voorlopig").any():
        punten.append(
            "Een deel van de benchmarks is voorlopig (zie de vergelijkingskolom); een jaarcijfer "
            "is als jaarcijfer benoemd en niet als halfjaarcijfer.")

    s.blokken.append(Opsomming(punten))

    if not bronnen.empty:
        s.blokken.append(Kop("Bronnen in de laatste build", 2))
        s.blokken.append(Tabel(
            ["Bron", "Bestanden", "Laatste export", "Rijen geladen", "In quarantaine"],
            [[r.bron, nl.getal(r.bestanden), nl.datum(r.laatste_exportdatum),
              nl.getal(r.rijen_geladen), nl.getal(r.rijen_quarantaine)]
             for r in bronnen.itertuples()],
            (22, 14, 24, 20, 20)))
    if totaal_q:
        s.blokken.append(Kop("Quarantaine: meest voorkomende redenen", 2))
        s.blokken.append(Tabel(
            ["Bron", "Kolom", "Reden", "Rijen"],
            [[r.bron, r.kolom or "(regel)", r.reden, nl.getal(r.aantal)]
             for r in q.head(10).itertuples()],
            (16, 18, 52, 14)))
    if not mislukt.empty:
        s.blokken.append(Kop("Datacontroles met een waarschuwing of fout", 2))
        ernst = mislukt["ernst"] if "ernst" in mislukt.columns else pd.Series("", index=mislukt.index)
        s.blokken.append(Tabel(
            ["Suite", "Controle", "Kolom", "Ernst"],
            [[str(r["suite"]), str(r["expectation"]), str(r["kolom"] or ""), str(e or "")]
             for (_, r), e in zip(mislukt.head(20).iterrows(), ernst.head(20))],
            (16, 50, 20, 14)))
        if len(mislukt) > 20:
            s.blokken.append(Alinea(f"En {nl.getal(len(mislukt) - 20)} meer; zie de pagina "
                                    "Datakwaliteit van het dashboard.", "klein"))
    return s


def _leeswijzer() -> Sectie:
    s = Sectie("Leeswijzer")
    s.blokken.append(Opsomming([
        ("Per thema staan het kerncijfer van dit halfjaar, het vorige halfjaar en het landelijk "
        "cijfer (of een ander vergelijkingscijfer, met zijn eigen periode en status) naast elkaar. "
        "Het kerncijfer is hetzelfde als op de overzichtspagina van het dashboard."),
        ("Een verschil heet alleen ‘significant’ waar een 95%-betrouwbaarheidsinterval dat zegt "
        "(bij de enquêtecijfers). Cijfers uit de registraties hebben geen interval: daar staat "
        "alleen of een cijfer boven of onder het vergelijkingscijfer ligt, zonder toets."),
        ("‘Onderdrukt (privacy)’: het cijfer rust op te weinig personen (minder dan 10 in de noemer, "
        "of een telling van 1 tot 4) en wordt daarom niet getoond."),
        "Waar geen landelijk cijfer bestaat (wachttijden) staat de wettelijke termijn als norm.",
        "De grafieken zijn dezelfde als in het dashboard.",
    ]))
    return s


def maak_rapport(path: Path | str, periode: str, config: Config | None = None) -> Rapport:
    """Read the warehouse and build the document model of the raadsbriefing for one half-year."""
    path = Path(path)
    bron = _lees(path, periode, config)
    info = wh.build_info(path)
    gebouwd = nl.datum(info["gebouwd_op"].iloc[0]) if not info.empty else nl.GEEN_WAARDE
    voorblad = [
        f"Gemeente {bron.gemeente}",
        nl.periode(periode),
        (f"Voortgang en bijsturing van de toegang tot het sociaal domein, {nl.periode(periode)}, "
         f"vergeleken met {nl.periode(bron.vorige)} en met landelijke cijfers."),
        f"Gemaakt op {nl.datum(dt.date.today())} uit het warehouse van {gebouwd}"
        + (f" (build {info['build_id'].iloc[0]})." if not info.empty else "."),
    ]
    secties = [_leeswijzer()]
    aanwezig = set(bron.cijfers["familie"].dropna())
    nummer = 0
    for familie in dict.fromkeys(k.familie for k in KERNCIJFERS):
        nummer += 1
        if familie not in aanwezig:
            s = Sectie(f"{nummer}. {nl.familie_label(familie)}")
            s.blokken.append(Alinea("Er zijn geen cijfers voor dit thema: de bron ontbreekt in "
                                    "dit warehouse.", "let_op"))
            secties.append(s)
            continue
        secties.append(_familie_sectie(bron, nummer, familie))
    secties.append(_kwaliteit_sectie(bron, nummer + 1))
    return Rapport(
        gemeente=bron.gemeente, periode=periode,
        titel="Raadsbriefing monitor toegang sociaal domein",
        voorblad=voorblad, secties=secties,
    )


# ---------------------------------------------------------------- PDF (fpdf2)

_FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
]
_FONTS = [("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
          ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSans-Italic.ttf")]

# Characters outside cp1252, for the fallback to the PDF core font (no TTF on the machine).
_CP1252_VERVANG = {"→": "->", "×": "x", "≤": "<=", "≥": ">=", "½": "1/2", "\u00a0": " "}


def _ttf() -> tuple[Path, Path, Path] | None:
    extra = os.environ.get("SDM_FONT_DIR")
    dirs = ([Path(extra)] if extra else []) + _FONT_DIRS
    for regular, bold, italic in _FONTS:
        for d in dirs:
            if (d / regular).is_file() and (d / bold).is_file():
                return d / regular, d / bold, (d / italic if (d / italic).is_file() else d / regular)
    return None


def _pdf_klasse():
    from fpdf import FPDF

    class Briefing(FPDF):
        voet = ""
        fam = "helvetica"

        def footer(self) -> None:
            if self.page_no() == 1:
                return
            self.set_y(-14)
            self.set_font(self.fam, "", 8)
            self.set_text_color(90)
            self.cell(0, 8, self.tekst(f"{self.voet} · pagina {self.page_no()} van {{nb}}"),
                      align="C")
            self.set_text_color(0)

        def tekst(self, s: str) -> str:
            if self.fam != "helvetica":
                return s
            for a, b in _CP1252_VERVANG.items():
                s = s.replace(a, b)
            return s.encode("cp1252", "replace").decode("cp1252")

    return Briefing


def pdf_bytes(rapport: Rapport) -> bytes:
    from fpdf.fonts import FontFace

    pdf = _pdf_klasse()(format="A4", unit="mm")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(f"{rapport.titel} – {rapport.gemeente} – {rapport.periode_label}")
    pdf.set_author(f"Gemeente {rapport.gemeente}")
    pdf.set_creator("Sociaal Domein Monitor (sdmonitor report)")
    pdf.set_lang("nl-NL")
    fonts = _ttf()
    if fonts:
        pdf.add_font("sdm", "", str(fonts[0]))
        pdf.add_font("sdm", "B", str(fonts[1]))
        pdf.add_font("sdm", "I", str(fonts[2]))
        pdf.fam = "sdm"
    else:
        pdf.core_fonts_encoding = "cp1252"
        pdf.fam = "helvetica"
    pdf.voet = f"Raadsbriefing {rapport.gemeente}, {rapport.periode_label}"
    t = pdf.tekst
    breedte = pdf.epw

    # Cover.
    pdf.add_page()
    pdf.set_y(70)
    pdf.set_font(pdf.fam, "B", 24)
    pdf.multi_cell(breedte, 11, t(rapport.titel), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(pdf.fam, "B", 18)
    pdf.set_text_color(0, 114, 178)
    for regel in rapport.voorblad[:2]:
        pdf.multi_cell(breedte, 10, t(regel), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(8)
    pdf.set_font(pdf.fam, "", 11)
    for regel in rapport.voorblad[2:]:
        pdf.multi_cell(breedte, 6, t(regel), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(10)
    pdf.set_font(pdf.fam, "B", 11)
    pdf.cell(breedte, 7, t("Inhoud"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.fam, "", 11)
    for sectie in rapport.secties:
        pdf.cell(breedte, 6, t(sectie.titel), new_x="LMARGIN", new_y="NEXT")

    kop_stijl = FontFace(emphasis="BOLD", fill_color=(230, 238, 246))
    for sectie in rapport.secties:
        pdf.add_page()
        pdf.start_section(t(sectie.titel), level=0)
        pdf.set_font(pdf.fam, "B", 16)
        pdf.multi_cell(breedte, 9, t(sectie.titel), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        for blok in sectie.blokken:
            if isinstance(blok, Kop):
                pdf.ln(2)
                pdf.set_font(pdf.fam, "B", 12 if blok.niveau == 2 else 14)
                pdf.multi_cell(breedte, 7, t(blok.tekst), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
            elif isinstance(blok, Alinea):
                stijl, grootte = {"klein": ("", 8.5), "vraag": ("I", 10.5),
                                  "let_op": ("I", 9.5)}.get(blok.stijl, ("", 10.5))
                pdf.set_font(pdf.fam, stijl, grootte)
                pdf.multi_cell(breedte, 5.2, t(blok.tekst), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2)
            elif isinstance(blok, Opsomming):
                pdf.set_font(pdf.fam, "", 10.5)
                for item in blok.items:
                    pdf.cell(5, 5.2, t("•"))
                    pdf.multi_cell(breedte - 5, 5.2, t(item), new_x="LMARGIN", new_y="NEXT")
                    pdf.ln(1.5)
            elif isinstance(blok, Tabel):
                pdf.set_font(pdf.fam, "", 9)
                with pdf.table(col_widths=blok.breedtes, headings_style=kop_stijl,
                               line_height=4.8, text_align="LEFT", padding=1.2,
                               width=breedte) as tabel:
                    for rij in [blok.koppen, *blok.rijen]:
                        r = tabel.row()
                        for cel in rij:
                            r.cell(t(str(cel)))
                pdf.ln(3)
            elif isinstance(blok, Figuur):
                pdf.set_font(pdf.fam, "B", 10.5)
                pdf.multi_cell(breedte, 6, t(blok.titel), new_x="LMARGIN", new_y="NEXT")
                from PIL import Image

                with Image.open(io.BytesIO(blok.png)) as im:
                    w_px, h_px = im.size
                w = min(breedte, 170)
                h = w * h_px / w_px
                if pdf.get_y() + h > pdf.h - pdf.b_margin:
                    pdf.add_page()
                pdf.image(io.BytesIO(blok.png), w=w, h=h, alt_text=t(blok.titel))
                if blok.bijschrift:
                    pdf.set_font(pdf.fam, "I", 8.5)
                    pdf.multi_cell(breedte, 4.5, t(blok.bijschrift), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(3)
    return bytes(pdf.output())


# ---------------------------------------------------------------- HTML (self-contained)

_CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 11pt;
       line-height: 1.45; color: #111; max-width: 52em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 22pt; margin-bottom: .2em; } h2 { font-size: 16pt; margin-top: 2em; }
h3 { font-size: 12.5pt; }
.voorblad { padding-top: 1em; }
.voorblad .gemeente, .voorblad .periode { color: #0072B2; font-size: 18pt; font-weight: bold;
       margin: .2em 0; }
.vraag, .let_op { font-style: italic; } .klein { font-size: 9pt; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: .8em 0; }
th, td { border: 1px solid #999; padding: .3em .45em; text-align: left; vertical-align: top; }
th { background: #E6EEF6; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 9pt; font-style: italic; }
@page { size: A4; margin: 18mm 20mm 20mm 20mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  section { break-before: page; }
  table, figure, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  nav { display: none; }
  .voorblad { padding-top: 60mm; }
}
"""


def html_tekst(rapport: Rapport) -> str:
    e = html.escape
    delen = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(rapport.titel)} – {e(rapport.gemeente)} – {e(rapport.periode_label)}</title>",
        f"<style>{_CSS}</style></head><body>",
        '<header class="voorblad">',
        f"<h1>{e(rapport.titel)}</h1>",
        f'<p class="gemeente">{e(rapport.voorblad[0])}</p>',
        f'<p class="periode">{e(rapport.voorblad[1])}</p>',
        *(f"<p>{e(r)}</p>" for r in rapport.voorblad[2:]),
        "<nav><h3>Inhoud</h3><ul>",
        *(f'<li><a href="#s{i}">{e(s.titel)}</a></li>' for i, s in enumerate(rapport.secties)),
        "</ul></nav></header>",
    ]
    for i, sectie in enumerate(rapport.secties):
        delen.append(f'<section id="s{i}"><h2>{e(sectie.titel)}</h2>')
        for blok in sectie.blokken:
            if isinstance(blok, Kop):
                delen.append(f"<h3>{e(blok.tekst)}</h3>")
            elif isinstance(blok, Alinea):
                delen.append(f'<p class="{e(blok.stijl)}">{e(blok.tekst)}</p>')
            elif isinstance(blok, Opsomming):
                delen.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in blok.items) + "</ul>")
            elif isinstance(blok, Tabel):
                kop = "".join(f'<th scope="col">{e(k)}</th>' for k in blok.koppen)
                rijen = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>"
                                for r in blok.rijen)
                delen.append(f"<table><thead><tr>{kop}</tr></thead><tbody>{rijen}</tbody></table>")
            elif isinstance(blok, Figuur):
                data = base64.b64encode(blok.png).decode("ascii")
                delen.append(
                    f'<figure><figcaption><strong>{e(blok.titel)}</strong></figcaption>'
                    f'<img src="data:image/png;base64,{data}" alt="{e(blok.titel)}">'
                    + (f"<figcaption>{e(blok.bijschrift)}</figcaption>" if blok.bijschrift else "")
                    + "</figure>")
        delen.append("</section>")
    delen.append(f'<footer class="klein"><p>Raadsbriefing {e(rapport.gemeente)}, '
                 f"{e(rapport.periode_label)}. Gemaakt met de Sociaal Domein Monitor.</p></footer>")
    delen.append("</body></html>")
    return "\n".join(delen)


# ---------------------------------------------------------------- entry points


def _schrijf(doel: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a reader never sees half a report."""
    doel.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=doel.parent, prefix=f".{doel.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, doel)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def report_pdf(warehouse: Path | str, period: str, config: Config | None = None) -> bytes:
    """The raadsbriefing as PDF bytes (the dashboard's download button)."""
    return pdf_bytes(maak_rapport(warehouse, period, config))


def write_report(warehouse: Path, period: str, out: Path, config: Config | None = None) -> tuple[Path, Path]:
    """Write the raadsbriefing for `period` to `out` (PDF) and the same content beside it as HTML.

    Raises MonitorError (Dutch message) for a missing or damaged warehouse or an unknown period.
    """
    out = Path(out)
    if out.suffix.lower() == ".html":
        raise MonitorError(f"Geef voor --out een PDF-bestand (bijvoorbeeld briefing.pdf), niet {out.name}: "
                           "de HTML-versie komt er met dezelfde naam naast.")
    rapport = maak_rapport(warehouse, period, config)
    html_pad = out.with_suffix(".html")
    _schrijf(out, pdf_bytes(rapport))
    _schrijf(html_pad, html_tekst(rapport).encode("utf-8"))
    print(f"Raadsbriefing {rapport.periode_label} geschreven: {out} en {html_pad}")
    return out, html_pad
