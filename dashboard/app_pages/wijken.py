"""Wijken: every indicator per wijk, as a tile grid and a sortable table, with a wijk profile.

The overview's "Per wijk" links land here with ?indicator=...&uitsplitsing=... preselected;
a click on a tile (or a table row) opens that wijk's profile; "Terug" returns to the gemeente.
"""

import streamlit as st

from dashboard import components as c
from dashboard import queries
from dashboard.veilig import md
from sdmonitor import nl

st.title(f"Wijken – {md(c.periode_label())}")
indicatoren = c.wijk_indicatoren()
if not indicatoren:
    st.info("Voor deze periode zijn er geen cijfers per wijk.")
    st.stop()

labels = {i: c.indicator_info(i)["label_nl"] for i in indicatoren}
# Only a known indicator code from the address is named; anything else there is ignored.
gevraagd = c.url_waarde("indicator", queries.indicator_infos())
if gevraagd is not None and gevraagd not in indicatoren:
    st.info(f"{md(c.indicator_info(gevraagd)['label_nl'])} is er alleen voor de gemeente als geheel "
            "(of niet voor deze periode).")
links, midden, rechts = st.columns(3)
with links:
    indicator = c.url_keuze("Indicator", indicatoren, key="wijk_indicator", param="indicator",
                            format_func=labels.get, standaard="pct_binnen_termijn")
with midden:
    uitsplitsing = c.url_keuze("Uitsplitsing", c.uitsplitsingen(indicator), key="wijk_uitsplitsing",
                               param="uitsplitsing", format_func=nl.uitsplitsing_label)
with rechts:
    wijk = c.wijk_kiezer()

frame = c.wijk_frame(indicator, uitsplitsing)
titel = f"{labels[indicator]} ({nl.uitsplitsing_label(uitsplitsing)}) per wijk"
st.caption("Klik op een wijk (of een rij in de tabel) voor het wijkprofiel. Grijs = onderdrukt "
           "vanwege privacy. Inwonertallen per wijk zijn schattingen.")
st.markdown(f"**{md(titel)}**")
c.wijk_raster(frame, titel)
with st.expander("Alle wijken als tabel (sorteerbaar: klik op een kolomkop)", expanded=True):
    c.wijk_tabel(frame)

if wijk:
    c.wijk_profiel(wijk, indicator, uitsplitsing)
