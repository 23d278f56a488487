"""Sociaal Domein Monitor: the Streamlit entry point.

Owns what every page shares: navigation, the period selector, the warehouse status, and the
Dutch message when the warehouse cannot be read. Pages in app_pages/ only lay out.
Started by `sdmonitor dashboard --warehouse FILE` (sets $SDM_WAREHOUSE).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the repository root.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import queries
from dashboard.components import (
    NIEUW_BEZOEK_KEY,
    ONVOLLEDIG_KEY,
    PAGINA,
    PERIODE_KEY,
    onvolledig_uitleg,
    url_waarde,
)
from dashboard.veilig import fout_afvangen, md, toon_callback_fout, veilig
from sdmonitor import nl
from sdmonitor.cli import is_local
from sdmonitor.warehouse import WarehouseError

st.set_page_config(page_title="Sociaal Domein Monitor", page_icon=":material/monitoring:", layout="wide")
# However the app was started: a visitor never sees a traceback or an exception's message
# (`sdmonitor dashboard` sets the same on its command line; dashboard/veilig.py shows an id).
st.set_option("client.showErrorDetails", "none")


def _periode_kiezer() -> None:
    """Sidebar period selector, default the latest complete half-year, shareable as ?periode=.

    Half-years before the first export (partial history) are left out of the list and of every
    trend chart, unless the user ticks the shared checkbox below the selector; a link naming
    such a half-year ticks it.
    """
    per = queries.periodes()
    labels = dict(zip(per["periode"], per["label"]))
    onvolledig = per.loc[~per["volledige_historie"], "periode"].tolist()
    gevraagd = url_waarde("periode", per["periode"].tolist())
    st.session_state.setdefault(ONVOLLEDIG_KEY, False)
    if gevraagd in onvolledig and st.session_state.get(PERIODE_KEY) != gevraagd:
        st.session_state[ONVOLLEDIG_KEY] = True
    codes = per["periode"].tolist()
    if not st.session_state[ONVOLLEDIG_KEY]:
        # The default (latest complete half-year) always stays selectable.
        codes = [c for c in codes if c not in onvolledig or c == queries.laatste_volledige_periode()]
    if gevraagd in codes and st.session_state.get(PERIODE_KEY) != gevraagd:
        st.session_state[PERIODE_KEY] = gevraagd
    if st.session_state.get(PERIODE_KEY) not in codes:
        st.session_state[PERIODE_KEY] = queries.laatste_volledige_periode()

    @veilig
    def _naar_url() -> None:
        st.query_params["periode"] = st.session_state[PERIODE_KEY]

    st.sidebar.selectbox(
        "Periode", codes, key=PERIODE_KEY, format_func=lambda c: labels.get(c, nl.periode(c)),
        on_change=_naar_url, help="Standaard het laatste volledige halfjaar.",
    )
    if st.session_state[PERIODE_KEY] != queries.laatste_volledige_periode():
        st.sidebar.caption(f"Laatste volledige halfjaar: {md(nl.periode(queries.laatste_volledige_periode()))}.")

    @veilig
    def _uit_onvolledig() -> None:
        # Unticked: a link to a partial half-year must not tick it again on the next run.
        if not st.session_state[ONVOLLEDIG_KEY] and st.query_params.get("periode") in onvolledig:
            st.query_params.pop("periode", None)

    if onvolledig:
        st.sidebar.checkbox("Toon ook de onvolledige jaren vóór de eerste export", key=ONVOLLEDIG_KEY,
                            help=onvolledig_uitleg(), on_change=_uit_onvolledig)


def _status() -> None:
    info = queries.build_info()
    with st.sidebar.expander("Warehouse", icon=":material/database:"):
        st.caption(f"Bestand: {md(queries.warehouse_path().name)}")
        if not info.empty:
            r = info.iloc[0]
            st.caption(f"Gebouwd op {md(nl.datum(r['gebouwd_op']))} (build {md(r['build_id'])}).")


def _ingelogd() -> bool:
    """Whether the visitor logged in through Streamlit's login (st.login); False without one."""
    return bool(getattr(st.user, "is_logged_in", False))


def _login_banner() -> None:
    """Without a login, say who can see the dashboard: this computer only, or the network."""
    if _ingelogd():
        return
    adres = st.get_option("server.address")
    if is_local(adres):
        st.sidebar.info("Dit dashboard draait zonder login en is alleen op deze computer te bekijken.",
                        icon=":material/lock:")
    else:
        waar = f"op {md(adres)}" if adres else "op alle netwerkadressen van deze computer"
        st.sidebar.warning(f"Dit dashboard draait zonder login en is via het netwerk bereikbaar ({waar}): "
                           "iedereen die deze computer kan bereiken, ziet de cijfers.",
                           icon=":material/lock_open:")


def main() -> None:
    toon_callback_fout()
    try:
        queries.controleer()
    except WarehouseError as exc:
        st.title("Sociaal Domein Monitor")
        st.error(md(exc), icon=":material/error:")
        _login_banner()
        st.stop()
    st.sidebar.markdown(f"### Sociaal Domein Monitor\n{md(queries.gemeente_naam())}")
    _login_banner()
    pagina = st.navigation({
        "Monitor": [st.Page(PAGINA["overzicht"], title="Overzicht", icon=":material/dashboard:", default=True)],
        "Thema's": [
            st.Page(PAGINA["vindbaarheid"], title="Vindbaarheid", icon=":material/search:"),
            st.Page(PAGINA["voorliggend_veld"], title="Voorliggend veld", icon=":material/groups:"),
            st.Page(PAGINA["wachtlijsten"], title="Wachtlijsten en doorlooptijden", icon=":material/hourglass:"),
            st.Page(PAGINA["overgang_18"], title="18-/18+", icon=":material/swap_horiz:"),
            st.Page(PAGINA["capaciteit"], title="Capaciteit", icon=":material/badge:"),
            st.Page(PAGINA["vraagpatroon"], title="Vraagpatroon", icon=":material/help:"),
            st.Page(PAGINA["integraliteit"], title="Integraliteit", icon=":material/hub:"),
        ],
        "Gebied en kwaliteit": [
            st.Page(PAGINA["wijken"], title="Wijken", icon=":material/map:"),
            st.Page(PAGINA["datakwaliteit"], title="Datakwaliteit", icon=":material/fact_check:"),
        ],
    })
    # The address's ?periode= / ?wijk= count only on the first run of a page visit (url_waarde).
    st.session_state[NIEUW_BEZOEK_KEY] = st.session_state.get("_pagina") != pagina.url_path
    st.session_state["_pagina"] = pagina.url_path
    _periode_kiezer()
    _status()
    try:
        pagina.run()
    except WarehouseError as exc:  # the file went bad between the check and this page
        st.error(md(exc), icon=":material/error:")


with fout_afvangen():
    main()
