"""Plain Dutch sentences generated from the figures, for the raadsbriefing (and any reader).

The rules, from the spec ("a difference counts as significant only where the intervals say so"):

* A figure with a 95% interval (the survey shares) is called higher or lower than a benchmark or
  the previous half-year only when the intervals do not overlap (a benchmark without an interval
  counts as a point: it must lie outside the gemeente's interval). Otherwise the sentence says the
  difference is not demonstrable.
* A figure without an interval (registrations: the whole population, no sample) may be described
  as having risen or fallen against the previous half-year: that is what was registered. Against a
  benchmark it "ligt boven/onder" it, and the sentence says the difference was not tested.
* A suppressed figure is never printed: the sentence says "onderdrukt (privacy)". A missing
  figure is said to be missing, never shown as 0.
* A benchmark is named as what it is (Nederland, or the peer group), with its own period and
  status; a peer group is never called "landelijk".

Pure functions on small dataclasses, so they can be unit-tested with hand-made inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sdmonitor import nl

ONDERDRUKT_TEKST = "onderdrukt (privacy)"

# How each headline indicator reads as the subject of a sentence. Fallback: its label.
ONDERWERPEN = {
    "pct_wist_waar": "Het aandeel cliënten dat wist waar het met een hulpvraag moest zijn",
    "pct_weet_waar_terecht": "Het aandeel inwoners dat weet waar het terecht kan",
    "pct_toegang_bereikbaar": "Het aandeel inwoners dat de gemeente goed bereikbaar vindt",
    "pct_voorliggend": "Het aandeel vragen dat in het voorliggend veld is beantwoord",
    "maatwerk_per_1000": "Het aantal inwoners met Wmo-maatwerk per 1000 inwoners",
    "pct_jeugd_met_jeugdhulp": "Het aandeel jongeren tot 23 jaar met jeugdhulp",
    "pct_binnen_termijn": "Het aandeel afgehandeld binnen de wettelijke termijn",
    "wachtend": "Het aantal wachtenden aan het eind van het halfjaar",
    "wachtend_langer_dan_termijn": "Het aantal dat langer dan de wettelijke termijn wacht",
    "doorlooptijd_mediaan": "De mediane doorlooptijd",
    "doorlooptijd_p80": "De doorlooptijd waarbinnen 80% is afgehandeld",
    "cohort_18": "Het aantal jongeren dat 18 werd met jeugdhulp",
    "pct_toekomstplan_tijdig": "Het aandeel jongeren met een tijdig toekomstplan",
    "pct_verlengde_jeugdhulp": "Het aandeel jongeren met verlengde jeugdhulp",
    "pct_vervolg_geregeld": "Het aandeel jongeren bij wie het vervolg na 18 is geregeld",
    "pct_zorggat": "Het aandeel jongeren dat na 18 tussen wal en schip valt",
    "bezettingsgraad": "De bezettingsgraad",
    "verzuim_pct": "Het verzuim",
    "wachtend_per_fte": "Het aantal wachtenden per bezette fte",
    "hulpvragen": "Het aantal hulpvragen",
    "huishoudens_multi_team": "Het aantal huishoudens bij twee of meer teams",
    "pct_huishoudens_multi_team": "Het aandeel huishoudens dat bij twee of meer teams bekend is",
    "opschalingen": "Het aantal opschalingen",
    "doorverwijzingen": "Het aantal doorverwijzingen tussen teams",
    "doorverwijzing_dagen_mediaan": "Het mediane aantal dagen tot het ontvangende team de vraag oppakt",
}


def _leeg(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Cijfer:
    """One cell of fct_indicator as a sentence needs it."""

    periode: str
    waarde: float | None = None
    ci_laag: float | None = None
    ci_hoog: float | None = None
    onderdrukt: bool = False
    reden: str | None = None

    @property
    def zichtbaar(self) -> bool:
        """A value that may be printed: present and not suppressed."""
        return not self.onderdrukt and not _leeg(self.waarde)

    @property
    def heeft_interval(self) -> bool:
        return self.zichtbaar and not _leeg(self.ci_laag) and not _leeg(self.ci_hoog)

    @classmethod
    def uit_rij(cls, rij) -> Cijfer:
        """From a row of warehouse.cijfers() (dict or Series). A suppressed row keeps no value."""
        get = rij.get
        onderdrukt = bool(get("onderdrukt")) if not _leeg(get("onderdrukt")) else False

        def num(k):
            v = get(k)
            return None if onderdrukt or _leeg(v) else float(v)

        return cls(periode=str(get("periode")), waarde=num("waarde"), ci_laag=num("ci_laag"),
                   ci_hoog=num("ci_hoog"), onderdrukt=onderdrukt,
                   reden=get("reden_onderdrukt") if onderdrukt else None)


@dataclass(frozen=True)
class Benchmark:
    """The comparison figure beside the gemeente's (fct_benchmark_vergelijking)."""

    waarde: float
    naam: str  # "Nederland", "Niet-stedelijke gemeenten"
    label: str  # "Nederland, 2024 (jaarcijfer), voorlopig"
    landelijk: bool = True
    ci_laag: float | None = None
    ci_hoog: float | None = None

    @property
    def heeft_interval(self) -> bool:
        return not _leeg(self.ci_laag) and not _leeg(self.ci_hoog)

    @property
    def aanduiding(self) -> str:
        """'het landelijk cijfer' or 'het vergelijkingscijfer' (a peer group is never 'landelijk';
        its label names it)."""
        return "het landelijk cijfer" if self.landelijk else "het vergelijkingscijfer"


# ---------------------------------------------------------------- significance


def vergelijk(nu: Cijfer, ref_waarde: float, ref_laag: float | None = None,
              ref_hoog: float | None = None) -> str:
    """'hoger', 'lager' or 'gelijk' (no demonstrable difference) where an interval decides;
    'niet_getoetst' where the figure has no interval (only the direction is known then).

    With two intervals: different only when they do not overlap. With one interval and a point:
    different only when the point lies outside the interval.
    """
    if not nu.heeft_interval:
        return "niet_getoetst"
    if _leeg(ref_laag) or _leeg(ref_hoog):
        ref_laag = ref_hoog = ref_waarde
    if nu.ci_laag > ref_hoog:
        return "hoger"
    if nu.ci_hoog < ref_laag:
        return "lager"
    return "gelijk"


def _richting(a: float, b: float, eenheid: str | None) -> int:
    """Sign of a - b, 0 when both print the same (a difference the reader cannot see is none)."""
    if nl.waarde(a, eenheid) == nl.waarde(b, eenheid):
        return 0
    return 1 if a > b else -1


def onderwerp(indicator: str, label: str | None = None, uitsplitsing: str | None = None) -> str:
    basis = ONDERWERPEN.get(indicator) or f"Het cijfer ‘{label or indicator}’"
    if uitsplitsing:
        basis += f" ({nl.uitsplitsing_label(uitsplitsing)})"
    return basis


# ---------------------------------------------------------------- sentences


def zin_ontwikkeling(subject: str, nu: Cijfer | None, vorig: Cijfer | None,
                     eenheid: str | None) -> str:
    """The change against the previous half-year, in one sentence."""
    if nu is None or (not nu.onderdrukt and _leeg(nu.waarde)):
        per = f"het {nl.periode(nu.periode)}" if nu else "dit halfjaar"
        return f"{subject}: voor {per} is er geen cijfer."
    if nu.onderdrukt:
        return (f"{subject} is voor het {nl.periode(nu.periode)} {ONDERDRUKT_TEKST}"
                f"{': ' + nu.reden if nu.reden else ''}.")
    waarde = nl.waarde(nu.waarde, eenheid)
    if vorig is None or (not vorig.onderdrukt and _leeg(vorig.waarde)):
        return (f"{subject} was {waarde}; voor het vorige halfjaar is er geen cijfer om mee te "
                "vergelijken.")
    vper = f"het {nl.periode(vorig.periode)}"
    if vorig.onderdrukt:
        return (f"{subject} was {waarde}; het cijfer van {vper} is {ONDERDRUKT_TEKST}, dus een "
                "vergelijking met het vorige halfjaar is niet mogelijk.")
    oud = nl.waarde(vorig.waarde, eenheid)
    richting = _richting(nu.waarde, vorig.waarde, eenheid)
    if nu.heeft_interval and vorig.heeft_interval:
        oordeel = vergelijk(nu, vorig.waarde, vorig.ci_laag, vorig.ci_hoog)
        if oordeel == "gelijk" or richting == 0:
            return (f"{subject} was {waarde}, tegen {oud} in {vper}; dat verschil is statistisch "
                    "niet aantoonbaar (de 95%-betrouwbaarheidsintervallen overlappen).")
        werkwoord = "steeg" if oordeel == "hoger" else "daalde"
        return (f"{subject} {werkwoord} significant van {oud} in {vper} naar {waarde} "
                "(de 95%-betrouwbaarheidsintervallen overlappen niet).")
    if richting == 0:
        return f"{subject} bleef gelijk op {waarde} (ook {oud} in {vper})."
    werkwoord = "steeg" if richting > 0 else "daalde"
    verschil = nl.verschil(nu.waarde - vorig.waarde, eenheid)
    return f"{subject} {werkwoord} van {oud} in {vper} naar {waarde} ({verschil})."


def zin_benchmark(subject: str, nu: Cijfer | None, bm: Benchmark | None, eenheid: str | None,
                  geen_benchmark: str | None = None) -> str:
    """The figure beside its benchmark, claiming a difference only where the interval allows."""
    if bm is None:
        return geen_benchmark or "Er is geen landelijk vergelijkingscijfer."
    bm_tekst = f"{nl.waarde(bm.waarde, eenheid)} ({bm.label})"
    if nu is None or not nu.zichtbaar:
        return f"Ter vergelijking: {bm.aanduiding} is {bm_tekst}."
    waarde = nl.waarde(nu.waarde, eenheid)
    oordeel = vergelijk(nu, bm.waarde, bm.ci_laag, bm.ci_hoog)
    if oordeel == "gelijk":
        return (f"{subject} ({waarde}) verschilt niet significant van {bm.aanduiding}, {bm_tekst}: "
                "het ligt binnen het 95%-betrouwbaarheidsinterval.")
    if oordeel in ("hoger", "lager"):
        return (f"{subject} ({waarde}) is significant {oordeel} dan {bm.aanduiding}, {bm_tekst} "
                "(buiten het 95%-betrouwbaarheidsinterval).")
    richting = _richting(nu.waarde, bm.waarde, eenheid)
    if richting == 0:
        return f"{subject} ({waarde}) is gelijk aan {bm.aanduiding}, {bm_tekst}."
    plaats = "ligt boven" if richting > 0 else "ligt onder"
    return (f"{subject} ({waarde}) {plaats} {bm.aanduiding}, {bm_tekst}; dit verschil is niet op "
            "significantie getoetst (er is geen betrouwbaarheidsinterval).")
