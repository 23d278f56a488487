"""Wijk normalisation: whatever a team typed, a CBS wijk code from the reference list or `onbekend`.

Teams write the wijk as a name (any case, with or without hyphens and spaces), in capitals, or as
a CBS code. Names and codes are matched against the gemeente's reference list (config), so no
gemeente is hard-coded here. An unknown or empty wijk is legal and becomes `onbekend`: a wijk is
never a reason for quarantine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

UNKNOWN = "onbekend"

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def wijk_key(typed: str) -> str:
    """The comparable form of a typed wijk: lower case, no accents, no spaces or punctuation.

    'Colmschate-Noord', 'colmschate noord' and 'COLMSCHATE NOORD' all give 'colmschatenoord';
    '&' counts as 'en' ('Rivierenwijk & Bergweide').
    """
    decomposed = unicodedata.normalize("NFKD", typed.replace("&", " en "))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NOT_ALNUM.sub("", ascii_only.lower())


class WijkNormaliser:
    """Maps typed wijk names and codes to the reference list's CBS codes."""

    def __init__(self, wijken: Iterable[tuple[str, str]]):
        """`wijken`: (wijkcode, wijknaam) pairs from the reference list."""
        self._by_key: dict[str, str] = {}
        for code, naam in wijken:
            self._by_key[wijk_key(code)] = code
            self._by_key[wijk_key(naam)] = code

    def code_for(self, typed: str | None) -> str:
        if typed is None:
            return UNKNOWN
        return self._by_key.get(wijk_key(typed), UNKNOWN)
