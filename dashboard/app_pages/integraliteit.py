"""Integraliteit: 1 huishouden, 1 plan, 1 regisseur; geen verkeerde deur."""

import streamlit as st

from dashboard import components as c

st.title("Integraliteit")
st.markdown("Huishoudens die bij meerdere teams bekend zijn, opschalingen naar regie en "
            "doorverwijzingen tussen teams (alleen voor de gemeente als geheel).")
c.familie_tegels("integraliteit")

links, rechts = st.columns(2)
with links:
    c.sectie_trend("pct_huishoudens_multi_team")
with rechts:
    c.sectie_trend("huishoudens_multi_team")
links, rechts = st.columns(2)
with links:
    c.sectie_staven("opschalingen", titel=f"Opschalingen naar niveau en resultaat – {c.periode_label()}")
with rechts:
    c.sectie_staven("doorverwijzingen", titel=f"Doorverwijzingen tussen teams – {c.periode_label()}")
c.sectie_staven("doorverwijzing_dagen_mediaan",
                titel="Dagen tot het ontvangende team het huishouden registreerde (mediaan)")
