"""Overzicht: the half-year monitor, one tile per family (directie, raadsleden)."""

import streamlit as st

from dashboard import components as c
from dashboard import queries
from sdmonitor import nl

per = c.periode()
st.title(f"Monitor toegang sociaal domein {queries.gemeente_naam()}")
st.markdown(f"**{nl.periode(per)}** · de gemeente naast de landelijke benchmark waar die bestaat, "
            "met de ontwikkeling ten opzichte van het vorige halfjaar.")

kolommen = st.columns(3)
for i, kern in enumerate(c.KERNCIJFERS):
    with kolommen[i % 3]:
        c.kpi_tegel(kern, per)

st.caption(
    f"{c.ONDERDRUKT_ICOON} Onderdrukt = niet getoond vanwege privacy (te kleine aantallen). "
    "Een verschil heet alleen significant als het 95%-betrouwbaarheidsinterval dat zegt. "
    "Benchmarks staan met hun eigen periode en status (voorlopig/definitief); een jaarcijfer is "
    "als jaarcijfer benoemd."
)
