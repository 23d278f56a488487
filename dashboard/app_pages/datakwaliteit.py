"""Datakwaliteit: how fresh and complete the figures are (for the data steward and the reader)."""

import streamlit as st

from dashboard import components as c

st.title("Datakwaliteit")
st.markdown("Hoe vers en volledig zijn de cijfers? Per bron de laatste export, per build de "
            "geladen, apart gezette (quarantaine) en vervangen rijen, de uitkomst van de controles "
            "en de redenen voor quarantaine (alleen aantallen, nooit de inhoud van een regel).")
c.build_samenvatting()
st.subheader("Laatste export per bron")
c.tabel_met_download("bronnen")
st.subheader("Rijen per build")
c.tabel_met_download("builds")
with st.expander("Per bestand (laatste build)"):
    c.tabel_met_download("bestanden")
st.subheader("Controles (Great Expectations)")
c.validatie_overzicht()
st.subheader("Redenen voor quarantaine")
c.quarantaine_overzicht()
