"""What the dashboard does so that data, addresses and errors cannot be turned against its readers.

* `md`: text from the warehouse, the configuration or the address, escaped for Streamlit's
  Markdown (st.markdown, st.caption, st.info, titles, metric labels and help texts all render
  Markdown): a wijk name or indicator label can never become a link, an image or coloured text.
* `spreadsheet_veilig`: text cells that a spreadsheet would read as a formula (`=`, `+`, `-`,
  `@`, tab, carriage return first) get a leading single quote in the CSV and Excel downloads,
  as OWASP advises against CSV injection; numbers stay numbers.
* `fout_afvangen` / `veilig`: an error on a page or in a widget's callback is logged in full on
  the server with a short error id; the visitor sees only that id (Streamlit's own error display
  is off: `client.showErrorDetails = none`, set by `sdmonitor dashboard` and by app.py).
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
import string
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st

# ---------------------------------------------------------------- Markdown

# CommonMark lets every ASCII punctuation character be escaped with a backslash. These are
# escaped wherever they stand: they make links, images, emphasis, code, HTML, entities and what
# Streamlit adds to Markdown (:red[...], :material/...:, :emoji:, $LaTeX$), and ':' and '@' also
# stop bare web and mail addresses from becoming links. The rest (the hyphen in
# 'Colmschate-Noord', a comma, a dot) only means something at the start of a line, so it is
# escaped there only, and the dot of 'www.' (a bare address).
_MIDDEN_VEILIG = frozenset("-,'\"/%;?.=")
_START_LIJST = re.compile(r"^(\d+)([.)])")
_WWW = re.compile(r"(?i)(www)\.")


def md(tekst: object) -> str:
    """`tekst` as Markdown that shows exactly that text (one line, nothing clickable)."""
    regel = " ".join(str(tekst).split())  # no line breaks: no headings, lists or code blocks
    uit = "".join(
        f"\\{c}" if c in string.punctuation and (i == 0 or c not in _MIDDEN_VEILIG) else c
        for i, c in enumerate(regel)
    )
    return _WWW.sub(r"\1\\.", _START_LIJST.sub(r"\1\\\2", uit))


# ---------------------------------------------------------------- downloads

# OWASP (CSV injection): a cell starting with one of these is a formula to Excel and LibreOffice.
FORMULE_TEKENS = ("=", "+", "-", "@", "\t", "\r")


def _cel_veilig(waarde: object) -> object:
    if isinstance(waarde, str) and waarde.startswith(FORMULE_TEKENS):
        return "'" + waarde
    return waarde


def spreadsheet_veilig(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells cannot start a formula (column headers included).

    Only text is touched: a numeric column (a real negative number such as -3.5) is left as it
    is, so it stays a number in the spreadsheet.
    """
    uit = df.copy()
    for kolom in uit.columns:
        if pd.api.types.is_numeric_dtype(uit[kolom]) or pd.api.types.is_bool_dtype(uit[kolom]):
            continue
        if pd.api.types.is_datetime64_any_dtype(uit[kolom]):
            continue
        uit[kolom] = uit[kolom].map(_cel_veilig).astype(object)
    uit.columns = [_cel_veilig(k) for k in uit.columns]
    return uit


# ---------------------------------------------------------------- errors

LOG = logging.getLogger("sdmonitor.dashboard")
if not LOG.handlers:
    # Streamlit configures only its own loggers; this one writes to the server's stderr (the
    # service's log), with the traceback.
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    LOG.addHandler(_handler)
    LOG.setLevel(logging.INFO)

FOUT_KEY = "_fout_id"


def log_fout(exc: BaseException) -> str:
    """Log `exc` with its traceback under a new error id, and return that id."""
    fout_id = secrets.token_hex(4)
    LOG.error("Fout %s op het dashboard", fout_id, exc_info=exc)
    return fout_id


def toon_fout(fout_id: str) -> None:
    st.error(
        f"Er ging iets mis bij het tonen van deze pagina. Foutcode: **{md(fout_id)}**. Geef deze code "
        "door aan de beheerder van het dashboard; die vindt de details in het serverlog.",
        icon=":material/error:",
    )


def _doorlaten(exc: BaseException) -> bool:
    """Exceptions Streamlit itself uses for control flow, which must reach it."""
    from streamlit.errors import FragmentHandledException

    return isinstance(exc, FragmentHandledException)


@contextmanager
def fout_afvangen() -> Iterator[None]:
    """Run a page: an error in it is logged with an id, the visitor sees the id only.

    st.stop() and st.rerun() are not errors (BaseException): they pass.
    """
    try:
        yield
    except Exception as exc:
        if _doorlaten(exc):
            raise
        toon_fout(log_fout(exc))


def veilig(callback: Callable) -> Callable:
    """A widget callback whose errors are logged with an id, shown at the top of the next run
    (`toon_callback_fout`), instead of by Streamlit."""

    @functools.wraps(callback)
    def uitvoeren(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except Exception as exc:
            if _doorlaten(exc):
                raise
            st.session_state[FOUT_KEY] = log_fout(exc)
            return None

    return uitvoeren


def toon_callback_fout() -> None:
    fout_id = st.session_state.pop(FOUT_KEY, None)
    if fout_id:
        toon_fout(fout_id)
