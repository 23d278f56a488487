"""Turning generated records into export text the way the teams write it (messy, but legal).

Records hold numbers (day numbers, code indices, person ids); a Renderer turns a batch of them into
one list of strings per contract column, as the record looked on an export's cut-off day: an
event after the cut-off is still empty, and so is a code that only exists from that event on.
Everything goes through lookup tables with "" as the last entry, so index -1 renders as empty.
"""

from __future__ import annotations

import numpy as np

from sdmonitor._generate_world import Calendar, Population, Wijk, months_of_days
from sdmonitor.contract import CONTRACT

EMPTY = -1  # code index / wijk index of an empty field
UNKNOWN_WIJK = -2  # a wijk typed that is not in the reference list

# How often each spelling of a typed wijk name occurs (as typed, lower, UPPER, hyphens as
# spaces, ...): the contract's "case, hyphens, spaces vary".
_TYPED_SPELLINGS = (
    (0.55, lambda n: n),
    (0.15, str.lower),
    (0.08, str.upper),
    (0.08, lambda n: n.replace("-", " ")),
    (0.06, lambda n: n.replace("-", " ").lower()),
    (0.04, lambda n: n.replace("-", " ").upper()),
    (0.04, lambda n: n.replace(" ", "-").lower()),
)
_CAPITAL_SPELLINGS = ((0.8, str.upper), (0.2, lambda n: n.replace("-", " ").upper()))
_UNKNOWN_NAMES = ("Buiten gemeente", "Onbekend", "Dak- en thuisloos", "Postadres", "n.v.t.")
_UNKNOWN_CODES = ("WK999999", "WK017701")
_YES_NO = (("ja", "Ja", "JA"), ("nee", "Nee", "NEE"))
_YES_NO_CASE_WEIGHTS = (0.7, 0.25, 0.05)


def codes_of(source: str, column: str) -> tuple[str, ...]:
    return CONTRACT[source].column(column).codes


def code_index(source: str, column: str, code: str) -> int:
    return codes_of(source, column).index(code)


def shown_from(values: np.ndarray, from_day: np.ndarray, cutoff: int) -> np.ndarray:
    """A code (index) that only exists from `from_day` on: empty before."""
    return np.where(from_day <= cutoff, values, EMPTY)


def _pick_by_style(style: np.ndarray, weights: tuple[float, ...]) -> np.ndarray:
    """Deterministic choice per record from its style byte, so a re-export spells it alike."""
    bounds = np.cumsum(weights) / sum(weights) * 256
    return np.minimum(np.searchsorted(bounds, style, side="right"), len(weights) - 1)


class Renderer:
    """Lookup tables for one calendar and wijk list, and the text of each column kind."""

    def __init__(self, calendar: Calendar, wijken: list[Wijk], population: Population):
        self.calendar = calendar
        self.population = population
        self._code_tables: dict[tuple[str, ...], np.ndarray] = {}
        typed = [[f(w.naam) for _, f in _TYPED_SPELLINGS] for w in wijken]
        capitals = [[f(w.naam) for _, f in _CAPITAL_SPELLINGS] for w in wijken]
        self._wijk_tables = {
            "typed": (np.array(typed), _UNKNOWN_NAMES, tuple(p for p, _ in _TYPED_SPELLINGS)),
            "capitals": (
                np.array(capitals),
                tuple(n.upper() for n in _UNKNOWN_NAMES),
                tuple(p for p, _ in _CAPITAL_SPELLINGS),
            ),
            "code": (np.array([[w.code] for w in wijken]), _UNKNOWN_CODES, (1.0,)),
        }

    # -- simple kinds ------------------------------------------------------------------------
    def dates(self, days: np.ndarray, cutoff: int, fmt: str) -> list[str]:
        """Dates in `fmt`; empty when not (yet) happened on the cut-off day."""
        table = self.calendar.date_texts(fmt)
        return table[np.where(days <= cutoff, days, EMPTY)].tolist()

    def codes(self, index: np.ndarray, codes: tuple[str, ...]) -> list[str]:
        table = self._code_tables.get(codes)
        if table is None:
            table = self._code_tables[codes] = np.array(list(codes) + [""])
        return table[index].tolist()

    def booleans(self, value: np.ndarray, style: np.ndarray) -> list[str]:
        """1 = ja, 0 = nee, -1 = empty; the case varies per record (`ja`, `Ja`, `JA`)."""
        case = _pick_by_style(style, _YES_NO_CASE_WEIGHTS)
        words = np.array([list(_YES_NO[0]), list(_YES_NO[1]), [""] * 3])  # ja, nee, empty
        return words[np.where(value < 0, 2, 1 - value), case].tolist()

    @staticmethod
    def decimals(values: np.ndarray, shown: np.ndarray, digits: int) -> list[str]:
        """Comma decimals (`0,8`), empty where not shown."""
        return [
            f"{v:.{digits}f}".replace(".", ",") if s else ""
            for v, s in zip(values.tolist(), shown.tolist())
        ]

    @staticmethod
    def integers(values: np.ndarray) -> list[str]:
        return [str(v) for v in values.tolist()]

    @staticmethod
    def months(abs_months: np.ndarray) -> list[str]:
        """`jjjj-mm` of absolute month numbers."""
        return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in abs_months.tolist()]

    def ids(self, prefix: str, seq: np.ndarray, first_day: np.ndarray) -> list[str]:
        """Record numbers as the teams' systems print them: prefix, year of the first event, seq."""
        years = (months_of_days(first_day) // 12).tolist()
        return [f"{prefix}{y}-{s:06d}" for y, s in zip(years, seq.tolist())]

    # -- wijk ---------------------------------------------------------------------------------
    def wijk(self, wijk: np.ndarray, style: np.ndarray, how: str) -> list[str]:
        """A wijk as a team writes it: typed name, capitals or CBS code (see the contract)."""
        spellings, unknown, weights = self._wijk_tables[how]
        variant = _pick_by_style(style, weights)
        known = spellings[np.maximum(wijk, 0), variant]
        unknown_text = np.array(unknown)[style % len(unknown)]
        text = np.where(wijk == UNKNOWN_WIJK, unknown_text, known)
        return np.where(wijk == EMPTY, "", text).tolist()

    # -- persons ------------------------------------------------------------------------------
    def persons(self, person: np.ndarray) -> list[str]:
        return self.population.pseudonyms_person(person)

    def households(self, household: np.ndarray) -> list[str]:
        return self.population.pseudonyms_household(household)


# -- free text ------------------------------------------------------------------------------
# What staff type in `opmerking`: `;`, quotes and accents included (the csv module quotes them),
# and now and then a BSN, which landing must drop with the column.
_NOTES = {
    "wmo": (
        "Cliënt belt terug na overleg met dochter",
        "Huisbezoek gepland; mantelzorger aanwezig",
        'Cliënt zegt: "ik red het niet meer alleen"',
        "Overleg met wijkverpleging; advies rollator",
        "Afspraak verzet i.v.m. ziekte",
        "Keukentafelgesprek met tolk",
        "Vraag over 'eigen bijdrage' beantwoord",
        "Dubbele melding? Zie eerdere registratie",
        "Wacht op advies ergotherapeut",
    ),
    "jeugd": (
        "Ouders gescheiden; beide gezag",
        "School (mentor) betrokken",
        'Jongere: "ik wil zelf beslissen"',
        "Wachtlijst bij aanbieder; overbrugging ingezet",
        "Perspectiefplan besproken met jongere en ouders",
        "Huisarts verwijst door na gesprek POH-GGZ",
        "Zorgen over thuissituatie; Veilig Thuis geïnformeerd",
    ),
    "inkomen": (
        "Aanvraag compleet; loonstroken ontvangen",
        "Partner heeft eigen inkomen: € 450 p/m",
        "Cliënt heeft één kind; co-ouderschap",
        "Eigenaar café, Bbz na faillissement",
        "Hersteltermijn gegeven; bewijsstukken ontbreken",
        'Cliënt: "ik begrijp de brief niet"',
        "Overgedragen aan collega (zie notitie)",
        "Reïntegratie besproken; vrijwilligerswerk bij de bibliotheek",
    ),
    "schuldhulp": (
        "Huurachterstand; verhuurder gebeld",
        "Energieleverancier: afsluiting opgeschort",
        "Budgetcursus aangeboden; cliënt twijfelt",
        "Schulden ca. € 12.500 bij 9 schuldeisers",
        'Cliënt: "ik open de post niet meer"',
        "Beslag op loon; beslagvrije voet gecontroleerd",
    ),
}
_BSN_NOTES = (
    "BSN {bsn} doorgegeven door cliënt",
    "let op: bsn partner {bsn}",
    "Cliëntnr/BSN: {bsn}; gegevens gecontroleerd",
)
NOTE_BSN = -2  # note index of a text with a planted BSN
_NOTE_SHARE = 0.35
_BSN_SHARE = 0.01


def valid_bsn_like(rng: np.random.Generator, n: int) -> np.ndarray:
    """Nine-digit numbers that pass the BSN eleven-test, as a real BSN would."""
    out = np.empty(0, dtype=np.int64)
    weights = np.arange(9, 1, -1)
    while out.size < n:
        digits = rng.integers(0, 10, size=(2 * (n - out.size) + 4, 8))
        digits[:, 0] = rng.integers(1, 10, size=digits.shape[0])
        check = (digits @ weights) % 11
        ok = check < 10
        numbers = digits[ok] @ (10 ** np.arange(8, 0, -1)) + check[ok]
        out = np.concatenate([out, numbers.astype(np.int64)])
    return out[:n]


def draw_notes(rng: np.random.Generator, source: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per record: note index (-1 none, NOTE_BSN planted BSN) and the BSN-like number."""
    u = rng.random(n)
    note = np.where(u < _NOTE_SHARE, rng.integers(0, len(_NOTES[source]), n), EMPTY)
    note = np.where(u < _BSN_SHARE, NOTE_BSN, note).astype(np.int16)
    bsn = np.zeros(n, dtype=np.int64)
    planted = note == NOTE_BSN
    bsn[planted] = valid_bsn_like(rng, int(planted.sum()))
    return note, bsn


def render_notes(source: str, note: np.ndarray, bsn: np.ndarray) -> list[str]:
    plain = _NOTES[source]
    return [
        ""
        if i == EMPTY
        else _BSN_NOTES[b % len(_BSN_NOTES)].format(bsn=f"{b:09d}")
        if i == NOTE_BSN
        else plain[i]
        for i, b in zip(note.tolist(), bsn.tolist())
    ]
