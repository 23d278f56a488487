"""18-/18+: loopt de hulp door als een jongere 18 wordt?"""

import streamlit as st

from dashboard import components as c

st.title("Overgang 18-/18+")
st.markdown("Jongeren met jeugdhulp op hun 18e verjaardag, naar het halfjaar van die verjaardag: "
            "was er op tijd een toekomstplan, loopt de hulp door, en wie valt tussen twee wetten?")
c.familie_tegels("overgang_18")

links, rechts = st.columns(2)
with links:
    c.sectie_trend("pct_vervolg_geregeld", extra_indicatoren=["pct_zorggat"],
                   titel="Vervolg geregeld en zorggat")
with rechts:
    c.sectie_trend("pct_toekomstplan_tijdig", extra_indicatoren=["pct_verlengde_jeugdhulp"],
                   titel="Toekomstplan op tijd en verlengde jeugdhulp")
c.sectie_trend("cohort_18", titel="Aantal jongeren dat 18 werd met jeugdhulp")
