"""The raadsbriefing (the PDF of `sdmonitor report`) as a download on the overview page.

The PDF is made only when the button is clicked (Streamlit's deferred download data), from the
same warehouse file the dashboard shows, and kept per (file version, period) so a second click
is instant. Generating takes a few seconds (the charts are rendered with vl-convert).
"""

from __future__ import annotations

import re
from functools import lru_cache

import streamlit as st

from dashboard import queries
from sdmonitor import nl


@lru_cache(maxsize=4)
def _pdf(path: str, versie: tuple[int, int], periode: str) -> bytes:
    # `versie` (mtime, size) is only part of the key: a new build makes a new PDF.
    from sdmonitor.config import load_config
    from sdmonitor.report import report_pdf

    return report_pdf(path, periode, config=load_config())


def _versie(path) -> tuple[int, int]:
    try:
        s = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return (s.st_mtime_ns, s.st_size)


def rapport_knop(periode: str) -> None:
    """A download button for the raadsbriefing of `periode` (PDF, Dutch)."""
    path = queries.warehouse_path()
    versie = _versie(path)
    # Only letters, digits and '_' from the configured name in the file name.
    naam = re.sub(r"[^a-z0-9]+", "_", queries.gemeente_naam().lower()).strip("_") or "gemeente"
    st.download_button(
        f"Raadsbriefing {nl.periode(periode)} (PDF)",
        data=lambda: _pdf(str(path), versie, periode),
        file_name=f"raadsbriefing_{naam}_{periode}.pdf",
        mime="application/pdf",
        key="raadsbriefing_pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        help="De halfjaarlijkse raadsbriefing met de kerncijfers van deze periode, de grafieken "
             "en de kanttekeningen bij de data. Hetzelfde document als 'sdmonitor report'.",
    )
