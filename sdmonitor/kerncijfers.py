"""The headline figure of each indicator family: shared by the dashboard's overview and the
raadsbriefing (sdmonitor report), so both always show the same figures.

Pure data, no Streamlit: dashboard/components.py imports these names from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kern:
    """The headline figure of a family on the overview."""

    familie: str
    indicator: str
    uitsplitsing: str = ""
    # "top": show the breakdown value with the highest figure (vraagpatroon: most frequent domein).
    modus: str = "vast"


KERNCIJFERS = [
    Kern("vindbaarheid", "pct_wist_waar", "onderzoek=ceo_wmo"),
    Kern("voorliggend_veld", "pct_voorliggend"),
    Kern("voorliggend_veld", "maatwerk_per_1000"),
    Kern("wachtlijsten", "pct_binnen_termijn", "stap=melding_gesprek;team=wmo"),
    Kern("wachtlijsten", "wachtend", "stap=melding_gesprek;team=wmo"),
    Kern("overgang_18", "pct_vervolg_geregeld"),
    Kern("capaciteit", "bezettingsgraad", "team=wmo"),
    Kern("vraagpatroon", "hulpvragen", modus="top"),
    Kern("integraliteit", "pct_huishoudens_multi_team"),
]


def families() -> list[str]:
    """The families in the order of the plan's questions (the order of KERNCIJFERS)."""
    return list(dict.fromkeys(k.familie for k in KERNCIJFERS))
