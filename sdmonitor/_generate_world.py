"""The demo generator's world: calendar, pseudonyms and a synthetic population of households.

Nothing here is stored per person. A household is an integer in a range reserved for its wijk
and kind; a person is `household * SLOTS + slot`; everything about them (birth month, number of
children, pseudonym) is a keyed hash of that integer. So every team that draws the same person
sees the same pseudonym and birth month, without a population table in memory, at any scale.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from sdmonitor.contract import EARLIEST_DATE

# ---------------------------------------------------------------------------------------------
# Calendar: dates are int32 day numbers since EARLIEST_DATE (so no date can lie before it).

EPOCH = date.fromisoformat(EARLIEST_DATE)
NEVER = np.int32(2**30)  # an event that has not happened (and in the demo never will)
_EPOCH_1970 = (EPOCH - date(1970, 1, 1)).days


def month_number(year: int, month: int) -> int:
    """Absolute month number (year * 12 + month - 1): births and calendar months alike."""
    return year * 12 + month - 1


def first_day_of_months(abs_months: np.ndarray) -> np.ndarray:
    """Day number of the first day of each absolute month (works far outside the export window)."""
    since_1970 = np.asarray(abs_months, dtype=np.int64) - month_number(1970, 1)
    days_1970 = since_1970.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return (days_1970 - _EPOCH_1970).astype(np.int64)


def months_of_days(days: np.ndarray) -> np.ndarray:
    """Absolute month number of each day number."""
    as_dates = (np.asarray(days, dtype=np.int64) + _EPOCH_1970).astype("datetime64[D]")
    return as_dates.astype("datetime64[M]").astype(np.int64) + month_number(1970, 1)


def weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday .. 6 = Sunday."""
    return (np.asarray(days, dtype=np.int64) + EPOCH.weekday()) % 7


def add_workdays(days: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The day `n` working days (Monday-Friday) after each day (numpy's business-day rules)."""
    as_dates = (np.asarray(days, dtype=np.int64) + _EPOCH_1970).astype("datetime64[D]")
    moved = np.busday_offset(as_dates, np.asarray(n), roll="forward")
    return moved.astype(np.int64) - _EPOCH_1970


class Calendar:
    """The simulated months, from EARLIEST_DATE to the last exported month, with date texts."""

    def __init__(self, first_export: tuple[int, int], last_export: tuple[int, int]):
        self.first_abs = month_number(EPOCH.year, EPOCH.month)
        self.window_first = month_number(*first_export) - self.first_abs
        self.window_last = month_number(*last_export) - self.first_abs
        self.n_months = self.window_last + 1
        # One extra month: the export of month i is dated on the first day of month i + 1.
        self.month_start = first_day_of_months(
            np.arange(self.first_abs, self.first_abs + self.n_months + 1)
        )
        self.window_start_day = int(self.month_start[self.window_first])
        self.last_day = int(self.month_start[self.n_months] - 1)
        self._date_texts: dict[str, np.ndarray] = {}

    def month_end(self, i: int) -> int:
        return int(self.month_start[i + 1] - 1)

    def year_month(self, i: int) -> tuple[int, int]:
        return divmod(self.first_abs + i, 12)[0], (self.first_abs + i) % 12 + 1

    def export_date(self, i: int) -> date:
        year, month = divmod(self.first_abs + i + 1, 12)
        return date(year, month + 1, 1)

    def date_texts(self, fmt: str) -> np.ndarray:
        """Text of every day number in `fmt`, with "" as the last entry (index -1 = empty)."""
        if fmt not in self._date_texts:
            days = np.arange(self.last_day + 1, dtype=np.int64) + _EPOCH_1970
            texts = [d.strftime(fmt) for d in days.astype("datetime64[D]").astype(object)]
            self._date_texts[fmt] = np.array(texts + [""])
        return self._date_texts[fmt]


# ---------------------------------------------------------------------------------------------
# Keyed hashing: splitmix64's finaliser is a bijection on 64 bits, so distinct ids keep
# distinct pseudonyms, and without the seed the ids cannot be recovered from them.

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)


def mix64(values: np.ndarray) -> np.ndarray:
    x = np.asarray(values).astype(np.uint64) + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * _MUL1
    x = (x ^ (x >> np.uint64(27))) * _MUL2
    return x ^ (x >> np.uint64(31))


class Hasher:
    """Independent keyed hash streams ("domains") for one seed."""

    def __init__(self, seed: int):
        self.seed = seed

    def key(self, domain: int) -> np.uint64:
        return mix64(np.array([self.seed * 1_000_003 + domain], dtype=np.uint64))[0]

    def hash(self, values: np.ndarray, domain: int) -> np.ndarray:
        return mix64(np.asarray(values).astype(np.uint64) ^ self.key(domain))

    def uniform(self, values: np.ndarray, domain: int) -> np.ndarray:
        """A float in [0, 1) per value, fixed for the seed."""
        return (self.hash(values, domain) >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def pseudonyms(self, ids: np.ndarray, domain: int) -> list[str]:
        """Opaque 16-hex-digit pseudonyms; a negative id (nobody) gives ""."""
        # One hex string for the whole batch, cut in pieces: much faster than formatting each.
        text = self.hash(np.maximum(ids, 0), domain).astype(">u8").tobytes().hex()
        pseudonyms = [text[i : i + 16] for i in range(0, len(text), 16)]
        for i in np.flatnonzero(ids < 0).tolist():
            pseudonyms[i] = ""
        return pseudonyms


# Hash domains (any distinct numbers).
DOMAIN_PERSON_PSEUDO = 1
DOMAIN_HOUSEHOLD_PSEUDO = 2
DOMAIN_BIRTH = 3
DOMAIN_CHILDREN = 4
DOMAIN_ADULTS = 5
DOMAIN_DEATH = 6

# ---------------------------------------------------------------------------------------------
# Population

FAMILY, SENIOR, SINGLE = 0, 1, 2  # household kinds: parents with children, 65+, other adults
KINDS = (FAMILY, SENIOR, SINGLE)
SLOTS = 8  # person = household * SLOTS + slot; slots 0-1 adults, 2-4 children
CHILD_SLOT = 2
OUTSIDERS = 1 << 44  # person ids from here are people from outside the gemeente (regional bwmo)

# Birth months (absolute, inclusive) per household kind and adult/child slot.
_BIRTH_RANGES = {
    (FAMILY, False): (month_number(1962, 1), month_number(1993, 12)),
    (FAMILY, True): (month_number(1997, 1), month_number(2025, 6)),
    (SENIOR, False): (month_number(1915, 1), month_number(1959, 12)),
    (SINGLE, False): (month_number(1958, 1), month_number(2004, 12)),
}


@dataclass(frozen=True)
class Wijk:
    code: str
    naam: str
    inwoners: int
    inwoners_0_17: int
    inwoners_0_22: int


def read_wijken(path: Path) -> list[Wijk]:
    """The configured reference list of wijken (semicolon CSV with a header)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    return [
        Wijk(
            r["wijkcode"].strip(),
            r["wijknaam"].strip(),
            int(r["inwoners"]),
            int(r["inwoners_0_17"]),
            int(r["inwoners_0_22"]),
        )
        for r in rows
    ]


class Population:
    """Households per wijk and kind as integer ranges; a `kwetsbaar` head of each family and
    single range is the pool of multi-problem households that several teams keep meeting."""

    def __init__(self, wijken: list[Wijk], scale: float, hasher: Hasher, kwetsbaar: np.ndarray):
        self.hasher = hasher
        inw = np.array([w.inwoners for w in wijken], dtype=np.float64)
        young = np.array([w.inwoners_0_22 for w in wijken], dtype=np.float64)
        adults = np.maximum(inw - young, 0)
        # Household counts: ~0.65 family per youngster 0-22 (1-3 children born over 29 years);
        # senior households for about a third of the adults, born 1915-1959 (of whom those
        # still alive are the gemeente's ~20% aged 65+); the other adults alone or in pairs.
        wanted = np.stack([young * 0.65, adults * 0.35 / 1.5, adults * 0.45 / 1.5], axis=1)
        self.size = np.maximum(1, np.round(wanted * scale)).astype(np.int64)
        pool_share = np.stack(
            [0.04 * kwetsbaar, np.zeros_like(kwetsbaar), 0.03 * kwetsbaar], axis=1
        )
        self.pool = np.where(
            pool_share > 0, np.maximum(1, np.round(self.size * pool_share)), 0
        ).astype(np.int64)
        self.start = np.concatenate([[0], np.cumsum(self.size.ravel())[:-1]]).reshape(
            self.size.shape
        )
        self.n_households = int(self.size.sum())

    # -- drawing ------------------------------------------------------------------------------
    def draw_households(
        self,
        rng: np.random.Generator,
        wijk: np.ndarray,
        kind: np.ndarray,
        p_pool: float | np.ndarray,
    ) -> np.ndarray:
        """One household per (wijk, kind); from the kwetsbaar pool with probability p_pool."""
        in_pool = (rng.random(wijk.size) < p_pool) & (self.pool[wijk, kind] > 0)
        n = np.where(in_pool, self.pool[wijk, kind], self.size[wijk, kind])
        return self.start[wijk, kind] + (rng.random(wijk.size) * n).astype(np.int64)

    # -- attributes of households and persons, all derived from the ids --------------------
    def _range_index(self, household: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.start.ravel(), household, side="right") - 1

    def wijk_of(self, household: np.ndarray) -> np.ndarray:
        return self._range_index(household) // len(KINDS)

    def kind_of(self, household: np.ndarray) -> np.ndarray:
        return self._range_index(household) % len(KINDS)

    def is_kwetsbaar(self, household: np.ndarray) -> np.ndarray:
        idx = self._range_index(household)
        return (household - self.start.ravel()[idx]) < self.pool.ravel()[idx]

    def n_children(self, household: np.ndarray) -> np.ndarray:
        return 1 + (self.hasher.hash(household, DOMAIN_CHILDREN) % np.uint64(3)).astype(np.int64)

    def n_adults(self, household: np.ndarray) -> np.ndarray:
        """1 or 2 (a quarter of families have one parent; half of the others live alone)."""
        u = self.hasher.uniform(household, DOMAIN_ADULTS)
        single_share = np.where(self.kind_of(household) == FAMILY, 0.25, 0.5)
        return np.where(u < single_share, 1, 2)

    def birth_month(self, person: np.ndarray) -> np.ndarray:
        """Absolute birth month of each person (outsiders: an adult's)."""
        person = np.asarray(person, dtype=np.int64)
        household = person // SLOTS
        is_child = (person % SLOTS) >= CHILD_SLOT
        outsider = person >= OUTSIDERS
        kind = np.where(outsider, SINGLE, self.kind_of(np.where(outsider, 0, household)))
        lo = np.zeros(person.size, dtype=np.int64)
        hi = np.zeros(person.size, dtype=np.int64)
        for (k, child), (first, last) in _BIRTH_RANGES.items():
            sel = (kind == k) & (is_child == child)
            lo[sel], hi[sel] = first, last
        u = self.hasher.uniform(person, DOMAIN_BIRTH)
        # Fewer people live to be very old: seniors' births crowd towards the younger end.
        u = np.where(kind == SENIOR, 1 - u**1.7, u)
        return np.minimum(lo + (u * (hi - lo + 1)).astype(np.int64), hi)

    def alive(self, person: np.ndarray, age_months: np.ndarray) -> np.ndarray:
        """Whether a person of that age is still alive: seniors die between 78 and 100, so
        the number of very old people stays about level over the years."""
        person = np.asarray(person, dtype=np.int64)
        senior = (person < OUTSIDERS) & (
            self.kind_of(np.where(person < OUTSIDERS, person // SLOTS, 0)) == SENIOR
        )
        death_months = (78 + 22 * self.hasher.uniform(person, DOMAIN_DEATH)) * 12
        return ~senior | (age_months < death_months)

    def pseudonyms_person(self, person: np.ndarray) -> list[str]:
        return self.hasher.pseudonyms(person, DOMAIN_PERSON_PSEUDO)

    def pseudonyms_household(self, household: np.ndarray) -> list[str]:
        return self.hasher.pseudonyms(household, DOMAIN_HOUSEHOLD_PSEUDO)
