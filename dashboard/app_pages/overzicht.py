"""Overzicht: the half-year monitor, one tile per family (directie, raadsleden)."""

import streamlit as st

from dashboard import components as c
from dashboard import queries
from dashboard.report_download import rapport_knop
from dashboard.veilig import md
from sdmonitor import nl

per = c.periode()
st.title(f"Monitor toegang sociaal domein {md(queries.gemeente_naam())}")
st.markdown(f"**{md(nl.periode(per))}** · de gemeente naast de landelijke benchmark waar die bestaat, "
            "met de ontwikkeling ten opzichte van het vorige halfjaar.")
rapport_knop(per)

# Rows of three, in the order of the plan's questions.
for start in range(0, len(c.KERNCIJFERS), 3):
    for kolom, kern in zip(st.columns(3), c.KERNCIJFERS[start:start + 3]):
        with kolom:
            c.kpi_tegel(kern, per)

# Development at a glance: the share helped in the voorliggend veld, beside its benchmark.
links, _ = st.columns([3, 2])
with links:
    c.sectie_trend("pct_voorliggend", titel="Ontwikkeling: aandeel geholpen in het voorliggend veld",
                   naam="overzicht_voorliggend_trend")

st.caption(
    f"{c.ONDERDRUKT_ICOON} Onderdrukt = niet getoond vanwege privacy (te kleine aantallen). "
    "Een verschil heet alleen significant als het 95%-betrouwbaarheidsinterval dat zegt. "
    "Benchmarks staan met hun eigen periode en status (voorlopig/definitief); een jaarcijfer is "
    "als jaarcijfer benoemd."
)
