"""Wachtlijsten en doorlooptijden per team en stap, met de wettelijke termijn als norm."""

import streamlit as st

from dashboard import components as c
from dashboard.veilig import md
from sdmonitor import nl

st.title("Wachtlijsten en doorlooptijden")
st.markdown("Doorlooptijden in kalenderdagen over afgeronde stappen; wachtenden op de laatste dag "
            "van het halfjaar. Landelijk worden wachttijden niet verzameld: de norm is de "
            "wettelijke termijn (zwarte streeplijn).")
c.familie_tegels("wachtlijsten")

stap = c.stap_kiezer()
norm = c.termijn(stap)
norm_label = c.termijn_tekst(stap)

links, rechts = st.columns(2)
with links:
    c.sectie_trend("doorlooptijd_mediaan", uitsplitsingen=[stap], extra_indicatoren=["doorlooptijd_p80"],
                   norm=norm, norm_label=norm_label, titel=f"Doorlooptijd {nl.uitsplitsing_label(stap)}",
                   naam="doorlooptijd_stap_trend")
with rechts:
    c.sectie_trend("pct_binnen_termijn", uitsplitsingen=[stap], naam="binnen_termijn_stap_trend",
                   titel=f"Binnen de termijn: {nl.uitsplitsing_label(stap)}")

c.sectie_trend("wachtend", uitsplitsingen=[stap], extra_indicatoren=["wachtend_langer_dan_termijn"],
               titel=f"Wachtenden: {nl.uitsplitsing_label(stap)}", naam="wachtend_stap_trend")

st.subheader(f"Alle stappen – {md(c.periode_label())}")
links, rechts = st.columns(2)
with links:
    c.sectie_staven("doorlooptijd_mediaan", extra_indicatoren=["doorlooptijd_p80"], met_norm=True,
                    titel="Doorlooptijd per stap (streep = wettelijke termijn)")
with rechts:
    c.sectie_staven("pct_binnen_termijn", titel="Binnen de termijn per stap")
c.sectie_staven("wachtend", extra_indicatoren=["wachtend_langer_dan_termijn"],
                titel="Wachtenden per stap op de laatste dag van het halfjaar")
