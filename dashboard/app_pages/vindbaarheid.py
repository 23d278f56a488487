"""Vindbaarheid: weten inwoners de toegang te vinden? (plan: bewonersonderzoek, CEO)."""

import streamlit as st

from dashboard import components as c

st.title("Vindbaarheid van de toegang")
st.markdown("Wisten inwoners waar ze terecht konden, en via welk kanaal meldden ze zich? "
            "Enquêtecijfers met 95%-betrouwbaarheidsinterval (band), naast de CEO-benchmark.")
c.familie_tegels("vindbaarheid")

links, rechts = st.columns(2)
with links:
    c.sectie_trend("pct_wist_waar")
with rechts:
    c.sectie_trend("pct_weet_waar_terecht", extra_indicatoren=["pct_toegang_bereikbaar"])

links, rechts = st.columns(2)
with links:
    c.sectie_staven("pct_kanaal", titel=f"Kanaalmix Wmo-meldingen – {c.periode_label()}")
with rechts:
    c.sectie_trend("pct_kanaal", titel="Kanaalmix door de tijd")
