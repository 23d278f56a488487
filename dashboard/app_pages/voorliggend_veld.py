"""Voorliggend veld: verschuift de vraag naar voorliggende voorzieningen?"""

import streamlit as st

from dashboard import components as c

st.title("Verschuiving naar het voorliggend veld")
st.markdown("Welk deel van de beantwoorde vragen is opgelost zonder maatwerkvoorziening, en "
            "hoeveel inwoners hebben maatwerk of jeugdhulp naast het landelijke cijfer?")
c.familie_tegels("voorliggend_veld")

links, rechts = st.columns(2)
with links:
    c.sectie_trend("pct_voorliggend")
with rechts:
    c.sectie_trend("verschuiving_pp_vorig", extra_indicatoren=["verschuiving_pp_basis"],
                   titel="Verschuiving in procentpunten")

links, rechts = st.columns(2)
with links:
    c.sectie_trend("maatwerk_per_1000")
with rechts:
    c.sectie_trend("pct_jeugd_met_jeugdhulp")
