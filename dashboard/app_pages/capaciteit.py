"""Capaciteit: zijn de teams voldoende toegerust?"""

import streamlit as st

from dashboard import components as c

st.title("Capaciteit")
st.markdown("Bezetting, verzuim en wachtenden per fte, per team. Gaat over medewerkers, niet over "
            "inwoners: deze cijfers worden niet onderdrukt (behalve wachtenden per fte bij kleine "
            "aantallen).")
c.familie_tegels("capaciteit")

links, rechts = st.columns(2)
with links:
    c.sectie_staven("bezettingsgraad")
with rechts:
    c.sectie_staven("verzuim_pct")
links, rechts = st.columns(2)
with links:
    c.sectie_staven("wachtend_per_fte")
with rechts:
    c.sectie_trend("wachtend_per_fte")
links, rechts = st.columns(2)
with links:
    c.sectie_trend("bezettingsgraad")
with rechts:
    c.sectie_trend("verzuim_pct")
