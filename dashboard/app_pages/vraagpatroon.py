"""Vraagpatroon: welke vragen komen het vaakst voor, in de gemeente en per wijk?"""

import streamlit as st

from dashboard import components as c
from dashboard.veilig import md

st.title("Vraagpatroon")
st.markdown("Hulpvragen per domein: Wmo-meldingen en contacten in het voorliggend veld, "
            "beantwoord of niet.")
c.familie_tegels("vraagpatroon")

links, rechts = st.columns(2)
with links:
    c.sectie_staven("hulpvragen")
with rechts:
    c.sectie_trend("hulpvragen", titel="Hulpvragen per domein door de tijd")

st.subheader(f"Meest voorkomende vraag per wijk – {md(c.periode_label())}")
c.top_per_wijk("hulpvragen")
