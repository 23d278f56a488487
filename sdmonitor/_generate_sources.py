"""The teams of the demo world: who comes to each team, what happens to them, and when.

Each team draws a batch of new records at once (numpy, one array per field). A record carries
its whole future at birth: every event date is decided when it is created (NEVER when it will not
happen), so the exporter only has to show what had happened by each export's cut-off day. A
record can set off records elsewhere (a referral picked up by another team, a youth's follow-up
after 18, an escalation to regie): those come back as Spawns for the receiving team.

Calibration (scale 1 = Deventer, ~100k inhabitants): volumes per year in YEARLY_VOLUME; support
durations so that ~65-70 per 1000 inhabitants have a Wmo maatwerkvoorziening in a half-year and
~10% of youths 0-22 have jeugdhulp; waits so that legal terms are mostly met.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

import numpy as np

from sdmonitor._generate_render import (
    EMPTY,
    UNKNOWN_WIJK,
    Renderer,
    code_index,
    codes_of,
    draw_notes,
    render_notes,
    shown_from,
)
from sdmonitor._generate_world import (
    CHILD_SLOT,
    EPOCH,
    FAMILY,
    NEVER,
    OUTSIDERS,
    SENIOR,
    SINGLE,
    SLOTS,
    Calendar,
    Population,
    add_workdays,
    first_day_of_months,
    months_of_days,
    weekday,
)
from sdmonitor.contract import CONTRACT, SOURCE_CODES

YEAR = 365.25
Records = dict[str, np.ndarray]

# New records per year at scale 1 (records set off by other teams come on top).
YEARLY_VOLUME = {
    "wmo": 5300,
    "jeugd": 2350,
    "inkomen": 5600,
    "schuldhulp": 1100,
    "voorliggend": 20000,
    "bwmo": 300,
}
# Month-of-year pattern of new requests (quiet summer and December).
SEASON = np.array([1.08, 1.06, 1.08, 1.0, 0.98, 0.98, 0.82, 0.86, 1.04, 1.08, 1.06, 0.96])
# Wmo clients who came over with the 2015 decentralisation (AWBZ), registered in early 2015:
# about the steady-state number of running maatwerk records, so the stock is level from the start.
WMO_TRANSITION_COHORT = 9500
# Share of records drawn from the kwetsbaar (multi-problem) households, per team.
P_KWETSBAAR = {
    "wmo": 0.25,
    "jeugd": 0.15,
    "inkomen": 0.30,
    "schuldhulp": 0.40,
    "voorliggend": 0.10,
    "bwmo": 0.3,
}
# A record of a kwetsbaar household is escalated to regie with this probability (~150 a year).
P_REGIE = 0.045
P_REFERRAL_PICKED_UP = 0.75
# The Wmo waiting list of the demo story: extra days melding -> gesprek by melding date.
WMO_BACKLOG_DAYS = (("2022-12-15", 0), ("2023-09-15", 45), ("2024-05-15", 0))
TREND_FIRST, TREND_LAST = 2021, 2025


# ---------------------------------------------------------------------------------------------
# The world every team draws from


@dataclass
class World:
    calendar: Calendar
    population: Population
    renderer: Renderer
    scale: float
    wijk_weights: dict[str, np.ndarray]  # per team: probability of each wijk
    gemeente_code: str
    regio: tuple[str, ...]  # other gemeenten whose residents the (regional) bwmo serves


@dataclass
class Spawn:
    """Records another team must create: on `day`, for `household` (and `client`, or -1 for the
    receiving team to choose the household member), set off by `team` (a SOURCE_CODES index)."""

    day: np.ndarray
    household: np.ndarray
    client: np.ndarray
    team: np.ndarray

    @staticmethod
    def concat(spawns: list[Spawn]) -> Spawn:
        return Spawn(
            *(
                np.concatenate([getattr(s, f) for s in spawns])
                for f in ("day", "household", "client", "team")
            )
        )

    def where(self, mask: np.ndarray) -> Spawn:
        return Spawn(self.day[mask], self.household[mask], self.client[mask], self.team[mask])


@dataclass
class Generated:
    records: Records
    spawns: list[tuple[str, Spawn]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Small random helpers


def day_of(iso: str) -> int:
    return (date.fromisoformat(iso) - EPOCH).days


def month_days(rng: np.random.Generator, cal: Calendar, month: int, n: int) -> np.ndarray:
    """Working days in the month (a weekend day moves to the next Monday)."""
    start = cal.month_start[month]
    days = start + rng.integers(0, cal.month_start[month + 1] - start, n)
    wd = weekday(days)
    return np.where(wd >= 5, days + 7 - wd, days)


def choose(rng: np.random.Generator, p, n: int) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    return rng.choice(p.size, n, p=p / p.sum())


def choose_rows(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One choice per row of a (n, k) probability matrix."""
    cum = np.cumsum(p, axis=1)
    u = rng.random(p.shape[0]) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), p.shape[1] - 1)


def between(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    """Whole days, uniform in [lo, hi]."""
    return rng.integers(int(lo), int(hi) + 1, n)


def year_of(days: np.ndarray) -> np.ndarray:
    return months_of_days(days) // 12


def trend(years: np.ndarray, first: float, last: float) -> np.ndarray:
    """A value moving linearly from `first` (2021 and before) to `last` (2025 and after)."""
    t = np.clip((np.asarray(years) - TREND_FIRST) / (TREND_LAST - TREND_FIRST), 0, 1)
    return first + (last - first) * t


def gamma_days(
    rng: np.random.Generator, mean_years: np.ndarray, shape: float, residual: bool = False
) -> np.ndarray:
    """Gamma-distributed durations in days. `residual`: what is left of durations already
    running for a while in a steady state (a uniform part of a length-biased draw), so a
    cohort of existing clients fades out exactly as new clients build up."""
    mean_days = np.asarray(mean_years) * YEAR
    if residual:
        days = rng.gamma(shape + 1, mean_days / shape) * rng.random(np.shape(mean_days))
    else:
        days = rng.gamma(shape, mean_days / shape)
    return np.maximum(1, days).astype(np.int64)


def messy_wijk(
    rng: np.random.Generator, wijk: np.ndarray, p_empty: float, p_unknown: float
) -> np.ndarray:
    """The wijk as registered: now and then empty (homeless, outside) or not a known name."""
    u = rng.random(wijk.size)
    out = np.where(u < p_empty, EMPTY, wijk)
    return np.where((u >= p_empty) & (u < p_empty + p_unknown), UNKNOWN_WIJK, out).astype(np.int16)


def age_months(day: np.ndarray, birth: np.ndarray) -> np.ndarray:
    return months_of_days(day) - birth


def draw_adults(
    world: World,
    rng: np.random.Generator,
    wijk: np.ndarray,
    kind: np.ndarray,
    p_pool: float,
    day: np.ndarray,
    older_first: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(client, household, found) for adults of the given household kinds on `day`.
    `older_first`: the very old are far more likely to ask (Wmo)."""
    pop = world.population
    client = np.full(wijk.size, -1, dtype=np.int64)
    todo = np.arange(wijk.size)
    for attempt in range(12):
        household = pop.draw_households(rng, wijk[todo], kind[todo], p_pool if attempt < 6 else 0.0)
        person = household * SLOTS + (rng.random(todo.size) * pop.n_adults(household)).astype(
            np.int64
        )
        months = age_months(day[todo], pop.birth_month(person))
        years = months / 12
        accept = (years >= 18) & pop.alive(person, months)
        if older_first:
            accept &= rng.random(todo.size) < np.clip((years - 62) / 25, 0.04, 1.0)
        client[todo[accept]] = person[accept]
        todo = todo[~accept]
        if todo.size == 0:
            break
    found = client >= 0
    return client, client // SLOTS, found


def draw_children(
    world: World, rng: np.random.Generator, wijk: np.ndarray, p_pool: float, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(client, found) for youths under 18 on `day`; teenagers are the most frequent."""
    pop = world.population
    client = np.full(wijk.size, -1, dtype=np.int64)
    todo = np.arange(wijk.size)
    for attempt in range(20):
        household = pop.draw_households(
            rng, wijk[todo], np.full(todo.size, FAMILY), p_pool if attempt < 8 else 0.0
        )
        slot = CHILD_SLOT + (rng.random(todo.size) * pop.n_children(household)).astype(np.int64)
        person = household * SLOTS + slot
        months = age_months(day[todo], pop.birth_month(person))
        weight = np.where(months < 48, 0.35, np.where(months < 144, 0.7, 1.0))
        accept = (months >= 0) & (months < 216) & (rng.random(todo.size) < weight)
        client[todo[accept]] = person[accept]
        todo = todo[~accept]
        if todo.size == 0:
            break
    return client, client >= 0


def child_of(
    world: World, rng: np.random.Generator, household: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """A child under 18 of each (family) household on `day`, or -1."""
    pop = world.population
    is_family = pop.kind_of(household) == FAMILY
    n_children = pop.n_children(household)
    first = (rng.random(household.size) * n_children).astype(np.int64)
    client = np.full(household.size, -1, dtype=np.int64)
    for k in range(3):
        person = household * SLOTS + CHILD_SLOT + (first + k) % n_children
        months = age_months(day, pop.birth_month(person))
        ok = is_family & (client < 0) & (months >= 0) & (months < 216)
        client[ok] = person[ok]
    return client


def take(records: Records, mask: np.ndarray) -> Records:
    return {k: v[mask] for k, v in records.items()}


def team_index(code: str) -> int:
    return SOURCE_CODES.index(code)


def regie_spawns(
    world: World, rng: np.random.Generator, team: str, household: np.ndarray, day: np.ndarray
) -> list[tuple[str, Spawn]]:
    """Escalations to regie for some records of kwetsbaar households, weeks to months later."""
    pick = world.population.is_kwetsbaar(household) & (rng.random(household.size) < P_REGIE)
    if not pick.any():
        return []
    n = int(pick.sum())
    spawn = Spawn(
        day[pick] + between(rng, 14, 120, n),
        household[pick],
        np.full(n, -1, dtype=np.int64),
        np.full(n, team_index(team)),
    )
    return [("regie", spawn)]


def referral_spawns(
    rng: np.random.Generator,
    team: str,
    naar: np.ndarray,
    household: np.ndarray,
    referral_day: np.ndarray,
) -> list[tuple[str, Spawn]]:
    """Referred households that the receiving team registers 1-3 weeks later (most of them)."""
    out = []
    picked_up = (naar >= 0) & (household >= 0) & (referral_day < NEVER)
    picked_up &= rng.random(naar.size) < P_REFERRAL_PICKED_UP
    delay = between(rng, 1, 21, naar.size)
    for target in ("wmo", "jeugd", "inkomen", "schuldhulp", "bwmo", "voorliggend"):
        sel = picked_up & (naar == team_index(target))
        if sel.any():
            n = int(sel.sum())
            out.append(
                (
                    target,
                    Spawn(
                        referral_day[sel] + delay[sel],
                        household[sel],
                        np.full(n, -1, dtype=np.int64),
                        np.full(n, team_index(team)),
                    ),
                )
            )
    return out


def forced_members(world: World, spawn: Spawn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(client, household, wijk) of spawned records: the given client, else the first adult."""
    client = np.where(spawn.client >= 0, spawn.client, spawn.household * SLOTS)
    return client, spawn.household, world.population.wijk_of(spawn.household)


# ---------------------------------------------------------------------------------------------
# The teams


class Team:
    """A source with records that live: created, updated in later exports, finished."""

    code: str
    prefix: str  # of the record number
    events: tuple[str, ...]  # day-number fields; hidden ones start with "_"

    def generate(
        self,
        world: World,
        rng: np.random.Generator,
        month: int,
        n: int,
        spawn: Spawn | None,
        transition: bool = False,
    ) -> Generated:
        """`n` new records of the month, or (with `spawn`) the records others set off.
        `transition`: the clients taken over in 2015 (only the Wmo has them)."""
        raise NotImplementedError

    def render(self, world: World, rec: Records, cutoff: int) -> dict[str, list[str]]:
        """The contract's columns as text, as the records stood on day `cutoff`."""
        raise NotImplementedError

    def codes(self, column: str) -> tuple[str, ...]:
        return codes_of(self.code, column)

    def index(self, column: str, code: str) -> int:
        return code_index(self.code, column, code)

    def dates(self, world: World, rec: Records, cutoff: int, *columns: str) -> dict[str, list[str]]:
        fmt = CONTRACT[self.code].date_format
        return {c: world.renderer.dates(rec[c], cutoff, fmt) for c in columns}

    def code_columns(self, world: World, rec: Records, *columns: str) -> dict[str, list[str]]:
        return {c: world.renderer.codes(rec[c], self.codes(c)) for c in columns}


class Wmo(Team):
    code, prefix = "wmo", "MLD"
    events = (
        "datum_melding",
        "datum_gesprek",
        "datum_aanvraag",
        "datum_besluit",
        "datum_start_ondersteuning",
        "datum_einde_ondersteuning",
        "_uitkomst",
    )
    # Who asks: 65+, other adults, parents.
    CLIENT_KINDS = (SENIOR, SINGLE, FAMILY)
    CLIENT_KIND_P = (0.72, 0.23, 0.05)
    # kanaal: telefoon, mail, inloop, post, digitaal, huisarts, ketenpartner, overig
    KANAAL_P = np.array([0.37, 0.10, 0.08, 0.04, 0.12, 0.12, 0.12, 0.05])
    KANAAL_DIGITAL_SHIFT = np.array([-0.05, 0, -0.01, -0.01, 0.07, 0, 0, 0])  # per year from 2021
    DOMEIN_P: ClassVar[
        dict[str, tuple[float, ...]]
    ] = {  # wonen, zorg_gezondheid, financien, werk_dagbesteding, sociaal_netwerk, opvoeden, veiligheid, overig
        "senior": (0.26, 0.42, 0.04, 0.02, 0.14, 0.0, 0.03, 0.09),
        "other": (0.14, 0.26, 0.12, 0.16, 0.14, 0.06, 0.04, 0.08),
    }
    # voorziening: huishoudelijke_hulp, begeleiding, dagbesteding, hulpmiddel, woningaanpassing, vervoer, kortdurend_verblijf
    VOORZIENING_P: ClassVar[dict[str, tuple[float, ...]]] = {
        "senior": (0.40, 0.07, 0.05, 0.24, 0.09, 0.13, 0.02),
        "other": (0.16, 0.48, 0.14, 0.10, 0.05, 0.05, 0.02),
    }
    # Mean years of support per voorziening (None: short, in days below).
    DURATION_YEARS = (5.5, 2.5, 3.5, 6.5, None, 6.5, None)
    SHORT_DAYS: ClassVar[dict[int, tuple[int, int]]] = {4: (30, 150), 6: (7, 90)}
    # naar for a "doorverwezen" uitkomst: wmo, jeugd, bwmo, inkomen, schuldhulp, voorliggend
    NAAR = ("jeugd", "bwmo", "inkomen", "schuldhulp", "voorliggend")
    NAAR_P = np.zeros((3, 5))
    NAAR_P[SENIOR] = (0, 0.01, 0.10, 0.04, 0.85)
    NAAR_P[SINGLE] = (0, 0.10, 0.25, 0.25, 0.40)
    NAAR_P[FAMILY] = (0.35, 0.02, 0.15, 0.18, 0.30)

    def generate(self, world, rng, month, n, spawn, transition: bool = False):
        cal, pop = world.calendar, world.population
        if spawn is None:
            day = month_days(rng, cal, month, n)
            if transition:  # spread over the first quarter of 2015
                day = day + rng.integers(0, 60, n)
            wijk = choose(rng, world.wijk_weights["wmo"], n)
            kind = np.array(self.CLIENT_KINDS)[choose(rng, self.CLIENT_KIND_P, n)]
            client, household, found = draw_adults(
                world, rng, wijk, kind, P_KWETSBAAR["wmo"], day, older_first=True
            )
            day, wijk, kind, client, household = (
                day[found],
                wijk[found],
                kind[found],
                client[found],
                household[found],
            )
        else:
            day = spawn.day
            client, household, wijk = forced_members(world, spawn)
            kind = pop.kind_of(household)
        n = day.size
        birth = pop.birth_month(client)
        group_senior = age_months(day, birth) >= 65 * 12
        year = year_of(day)

        # kanaal: digital rises year by year; referred people mostly come via the ketenpartner
        p = self.KANAAL_P + np.clip(year - TREND_FIRST, 0, 4)[:, None] * self.KANAAL_DIGITAL_SHIFT
        kanaal = choose_rows(rng, np.maximum(p, 0.005))
        if spawn is not None:
            kanaal = np.where(rng.random(n) < 0.6, self.index("kanaal", "ketenpartner"), kanaal)
        domein = np.where(
            group_senior,
            choose(rng, self.DOMEIN_P["senior"], n),
            choose(rng, self.DOMEIN_P["other"], n),
        )

        # How the question is answered: maatwerk falls, voorliggend rises over the years.
        p_maatwerk = 1.0 if transition else trend(year, 0.48, 0.38)
        p_voorliggend = 0.0 if transition else trend(year, 0.30, 0.40)
        u = rng.random(n)
        maatwerk = u < p_maatwerk
        voorliggend = ~maatwerk & (u < p_maatwerk + p_voorliggend)
        doorverwezen = ~maatwerk & ~voorliggend & (u < p_maatwerk + p_voorliggend + 0.12)
        geen = ~(maatwerk | voorliggend | doorverwezen)

        # melding -> gesprek: ~16 days, plus the 2023 backlog
        backlog = np.interp(
            day, [day_of(d) for d, _ in WMO_BACKLOG_DAYS], [v for _, v in WMO_BACKLOG_DAYS]
        )
        wait = rng.lognormal(np.log(16), 0.6, n) + backlog * rng.uniform(0.7, 1.3, n)
        has_gesprek = (
            maatwerk
            | voorliggend
            | (doorverwezen & (rng.random(n) < 0.6))
            | (geen & (rng.random(n) < 0.5))
        )
        gesprek = np.where(has_gesprek, day + wait.astype(np.int64) + 1, NEVER)
        if transition:  # already known clients: the beschikking follows directly
            gesprek = day.copy()

        aanvraag = np.where(maatwerk, gesprek + between(rng, 0, 10, n), NEVER)
        late = rng.random(n) < 0.09
        besluit_wait = np.where(late, between(rng, 15, 35, n), between(rng, 2, 14, n))
        besluit_day = np.where(maatwerk, aanvraag + besluit_wait, NEVER)
        besluit_code = choose(rng, (0.88, 0.07, 0.05), n)  # toegekend, afgewezen, ingetrokken
        if transition:
            besluit_code[:] = 0
        toegekend = maatwerk & (besluit_code == 0)
        besluit = np.where(maatwerk, besluit_code, EMPTY)

        quick = np.where(doorverwezen, between(rng, 1, 14, n), between(rng, 3, 30, n))
        uitkomst_day = np.where(maatwerk, besluit_day, np.where(has_gesprek, gesprek, day + quick))
        uitkomst = np.full(n, self.index("uitkomst", "geen"))
        uitkomst[toegekend] = self.index("uitkomst", "maatwerkvoorziening")
        uitkomst[voorliggend] = choose(
            rng, (0.35, 0.25, 0.40), int(voorliggend.sum())
        )  # eigen_kracht, sociaal_netwerk, algemene_voorziening
        uitkomst[doorverwezen] = self.index("uitkomst", "doorverwezen")

        voorziening = np.where(
            group_senior,
            choose(rng, self.VOORZIENING_P["senior"], n),
            choose(rng, self.VOORZIENING_P["other"], n),
        )
        voorziening = np.where(toegekend, voorziening, EMPTY)
        start = np.where(toegekend, besluit_day + between(rng, 0, 28, n), NEVER)
        einde = np.where(toegekend, start + self._durations(rng, voorziening, transition), NEVER)

        # "no wrong door": referred on, and a few maatwerk clients also to money matters
        naar = np.array([team_index(t) for t in self.NAAR])[choose_rows(rng, self.NAAR_P[kind])]
        naar = np.where(doorverwezen, naar, EMPTY)
        if spawn is None and not transition:
            money = np.array([team_index("schuldhulp"), team_index("inkomen")])[
                rng.integers(0, 2, n)
            ]
            naar = np.where(toegekend & (rng.random(n) < 0.04), money, naar)

        note, bsn = draw_notes(rng, "wmo", n)
        records = {
            "client": client,
            "household": household,
            "birth": birth.astype(np.int32),
            "wijk": messy_wijk(rng, wijk, 0.015, 0.005),
            "kanaal": kanaal.astype(np.int8),
            "hulpvraag_domein": domein.astype(np.int8),
            "datum_melding": day,
            "datum_gesprek": gesprek,
            "datum_aanvraag": aanvraag,
            "datum_besluit": besluit_day,
            "besluit": besluit.astype(np.int8),
            "_uitkomst": uitkomst_day,
            "uitkomst": uitkomst.astype(np.int8),
            "voorziening": voorziening.astype(np.int8),
            "datum_start_ondersteuning": start,
            "datum_einde_ondersteuning": einde,
            "doorverwezen_naar": naar.astype(np.int8),
            "note": note,
            "bsn": bsn,
        }
        spawns = regie_spawns(world, rng, "wmo", household, day)
        if spawn is None and not transition:
            spawns += referral_spawns(
                rng, "wmo", naar, household, np.where(naar >= 0, uitkomst_day, NEVER)
            )
        return Generated(records, spawns)

    def _durations(self, rng, voorziening: np.ndarray, transition: bool) -> np.ndarray:
        """Days of support: years for most voorzieningen, weeks for adaptations and respite."""
        n = voorziening.size
        mean = np.array([y if y is not None else 1.0 for y in self.DURATION_YEARS])[
            np.maximum(voorziening, 0)
        ]
        days = gamma_days(rng, mean, 1.4, residual=transition)
        for v, (lo, hi) in self.SHORT_DAYS.items():
            days = np.where(voorziening == v, between(rng, 1 if transition else lo, hi, n), days)
        return days

    def render(self, world, rec, cutoff):
        r = world.renderer
        out = {
            "meldingnummer": r.ids(self.prefix, rec["seq"], rec["datum_melding"]),
            "client_pseudo": r.persons(rec["client"]),
            "huishouden_pseudo": r.households(rec["household"]),
            "geboortejaar": r.integers(rec["birth"] // 12),
            "wijk": r.wijk(rec["wijk"], rec["style"], "typed"),
            "besluit": r.codes(
                shown_from(rec["besluit"], rec["datum_besluit"], cutoff), self.codes("besluit")
            ),
            "uitkomst": r.codes(
                shown_from(rec["uitkomst"], rec["_uitkomst"], cutoff), self.codes("uitkomst")
            ),
            "voorziening": r.codes(
                shown_from(rec["voorziening"], rec["datum_besluit"], cutoff),
                self.codes("voorziening"),
            ),
            "doorverwezen_naar": r.codes(
                shown_from(rec["doorverwezen_naar"], rec["_uitkomst"], cutoff),
                self.codes("doorverwezen_naar"),
            ),
            "opmerking": render_notes(self.code, rec["note"], rec["bsn"]),
        }
        out |= self.code_columns(world, rec, "kanaal", "hulpvraag_domein")
        out |= self.dates(world, rec, cutoff, *(e for e in self.events if not e.startswith("_")))
        return out


class Jeugd(Team):
    code, prefix = "jeugd", "JGD"
    events = (
        "datum_melding",
        "datum_besluit",
        "datum_start_hulp",
        "datum_einde_hulp",
        "datum_toekomstplan",
        "_overgang",
    )
    # verwijzer: gemeente, huisarts, medisch_specialist, jeugdarts, gecertificeerde_instelling, rechter, overig
    VERWIJZER_P = (0.46, 0.29, 0.05, 0.08, 0.07, 0.02, 0.03)
    # uitkomst: voorliggend_veld, lokaal_team, jeugdhulp_ambulant, jeugdhulp_verblijf, jeugdbescherming,
    # jeugdreclassering, geen; per verwijzer (gemeente's first two rows: 2021 and 2025).
    UITKOMST_GEMEENTE = (
        np.array([0.14, 0.20, 0.42, 0.06, 0.04, 0.02, 0.12]),
        np.array([0.20, 0.25, 0.33, 0.05, 0.04, 0.02, 0.11]),
    )
    UITKOMST_OTHER: ClassVar[dict[str, tuple[float, ...]]] = {
        "gecertificeerde_instelling": (0, 0, 0.05, 0.05, 0.65, 0.25, 0),
        "rechter": (0, 0, 0, 0.10, 0.60, 0.30, 0),
    }
    UITKOMST_MEDICAL = (0, 0.05, 0.84, 0.05, 0, 0, 0.06)
    CARE = ("jeugdhulp_ambulant", "jeugdhulp_verblijf", "jeugdbescherming", "jeugdreclassering")
    # Mean years of help per uitkomst (lokaal_team: weeks to months).
    DURATION_YEARS: ClassVar[dict[str, float]] = {
        "lokaal_team": 0.4,
        "jeugdhulp_ambulant": 1.1,
        "jeugdhulp_verblijf": 1.6,
        "jeugdbescherming": 1.7,
        "jeugdreclassering": 0.9,
    }
    REDEN_EINDE_P = (
        0.60,
        0,
        0.10,
        0.18,
        0.12,
    )  # doel_bereikt, achttien_jaar, verhuisd, voortijdig, overig
    # vervolg_na_18 when help stops at 18: wmo, wlz, zvw_ggz, participatiewet, geen_nodig, onbekend
    VERVOLG_P = (0.28, 0.07, 0.15, 0.22, 0.20, 0.08)
    P_VERLENGD = 0.3

    def generate(self, world, rng, month, n, spawn, transition=False):
        cal, pop = world.calendar, world.population
        if spawn is None:
            day = month_days(rng, cal, month, n)
            wijk = choose(rng, world.wijk_weights["jeugd"], n)
            client, found = draw_children(world, rng, wijk, P_KWETSBAAR["jeugd"], day)
            day, wijk, client = day[found], wijk[found], client[found]
            household = client // SLOTS
            verwijzer = choose(rng, self.VERWIJZER_P, day.size)
        else:
            client = child_of(world, rng, spawn.household, spawn.day)
            found = client >= 0
            day, client, household = spawn.day[found], client[found], spawn.household[found]
            wijk = pop.wijk_of(household)
            verwijzer = np.full(day.size, self.index("verwijzer", "gemeente"))
        n = day.size
        birth = pop.birth_month(client)
        gemeente = verwijzer == self.index("verwijzer", "gemeente")

        besluit = day + np.where(
            gemeente, rng.lognormal(np.log(27), 0.5, n).astype(np.int64), between(rng, 0, 14, n)
        )
        uitkomst = self._uitkomst(rng, verwijzer, year_of(day))
        code = self.codes("uitkomst")
        care = np.isin(uitkomst, [code.index(c) for c in self.CARE])
        helped = care | (uitkomst == code.index("lokaal_team"))
        start = np.where(helped, besluit + between(rng, 0, 30, n), NEVER)
        mean_years = np.zeros(n)
        for name, years in self.DURATION_YEARS.items():
            mean_years[uitkomst == code.index(name)] = years
        einde = np.where(helped, start + gamma_days(rng, np.maximum(mean_years, 0.1), 1.5), NEVER)
        reden = np.where(helped, choose(rng, self.REDEN_EINDE_P, n), EMPTY)

        # Turning 18 with help: toekomstplan, verlengde jeugdhulp, vervolg, and maybe a follow-up.
        t18 = first_day_of_months(birth + 18 * 12)
        turns18 = care & (start <= t18) & (einde >= t18)
        plan, verlengd, vervolg, overgang = self._eighteen(rng, day, start, birth, t18, turns18)
        t23 = first_day_of_months(birth + 23 * 12)
        einde = np.where(
            turns18 & (verlengd == 1), np.minimum(t18 + between(rng, 90, 1460, n), t23 - 1), einde
        )
        einde = np.where(turns18 & (verlengd == 0), t18 + between(rng, 0, 20, n), einde)
        reden = np.where(
            turns18 & (verlengd == 0), self.index("reden_einde", "achttien_jaar"), reden
        )
        plan = np.where(turns18 & (verlengd == 0), np.minimum(plan, einde), plan)

        note, bsn = draw_notes(rng, "jeugd", n)
        records = {
            "client": client,
            "household": household,
            "birth": birth.astype(np.int32),
            "wijk": messy_wijk(rng, wijk, 0.01, 0.004),
            "verwijzer": verwijzer.astype(np.int8),
            "datum_melding": day,
            "datum_besluit": besluit,
            "uitkomst": uitkomst.astype(np.int8),
            "datum_start_hulp": start,
            "datum_einde_hulp": einde,
            "reden_einde": reden.astype(np.int8),
            "verlengde_jeugdhulp": verlengd.astype(np.int8),
            "datum_toekomstplan": plan,
            "vervolg_na_18": vervolg.astype(np.int8),
            "_overgang": overgang,
            "note": note,
            "bsn": bsn,
        }
        spawns = regie_spawns(world, rng, "jeugd", household, day)
        spawns += self._follow_ups(world, rng, month, vervolg, t18, client, household)
        return Generated(records, spawns)

    def _uitkomst(self, rng, verwijzer: np.ndarray, year: np.ndarray) -> np.ndarray:
        n = verwijzer.size
        t = np.clip((year - TREND_FIRST) / (TREND_LAST - TREND_FIRST), 0, 1)[:, None]
        first, last = self.UITKOMST_GEMEENTE
        p = first + (last - first) * t
        uitkomst = choose_rows(rng, p)
        medical = choose(rng, self.UITKOMST_MEDICAL, n)
        uitkomst = np.where(verwijzer == self.index("verwijzer", "gemeente"), uitkomst, medical)
        for name, probs in self.UITKOMST_OTHER.items():
            uitkomst = np.where(
                verwijzer == self.index("verwijzer", name), choose(rng, probs, n), uitkomst
            )
        return uitkomst

    def _eighteen(self, rng, day, start, birth, t18, turns18):
        """(toekomstplan day, verlengd 1/0/-1, vervolg code, day these became known)."""
        n = day.size
        t17_5 = first_day_of_months(birth + 17 * 12 + 6)
        u = rng.random(n)
        tijdig = u < trend(year_of(t18), 0.62, 0.88)
        none = u > 0.92
        early = np.maximum(t17_5 - between(rng, 0, 150, n), day)  # made in the toegang itself
        late = np.maximum(t17_5 + between(rng, 15, 200, n), start)
        plan = np.where(tijdig, early, np.where(none, NEVER, late))
        plan = np.where(turns18, plan, NEVER)
        verlengd = np.where(turns18, (rng.random(n) < self.P_VERLENGD).astype(np.int64), EMPTY)
        vervolg = np.where(turns18 & (verlengd == 0), choose(rng, self.VERVOLG_P, n), EMPTY)
        overgang = np.where(turns18, np.maximum(day, np.minimum(plan, t18 - 45)), NEVER)
        return plan, verlengd, vervolg, overgang

    def _follow_ups(
        self, world, rng, month, vervolg, t18, client, household
    ) -> list[tuple[str, Spawn]]:
        """Youths whose care moves to wmo / participatiewet: most get a melding or aanvraag
        within 90 days of their 18th birthday, some later, some never (the zorggat)."""
        n = vervolg.size
        u = rng.random(n)
        found = u < trend(year_of(t18), 0.50, 0.75)
        late = ~found & (u < trend(year_of(t18), 0.50, 0.75) + 0.12)
        day = t18 + np.where(found, between(rng, -75, 85, n), between(rng, 100, 240, n))
        day = np.maximum(day, world.calendar.month_start[month])
        out = []
        for code, target in (("wmo", "wmo"), ("participatiewet", "inkomen")):
            sel = (vervolg == self.index("vervolg_na_18", code)) & (found | late)
            if sel.any():
                out.append(
                    (
                        target,
                        Spawn(
                            day[sel],
                            household[sel],
                            client[sel],
                            np.full(int(sel.sum()), team_index("jeugd")),
                        ),
                    )
                )
        return out

    def render(self, world, rec, cutoff):
        r = world.renderer
        out = {
            "dossiernummer": r.ids(self.prefix, rec["seq"], rec["datum_melding"]),
            "client_pseudo": r.persons(rec["client"]),
            "huishouden_pseudo": r.households(rec["household"]),
            "geboortemaand": r.months(rec["birth"]),
            "wijkcode": r.wijk(rec["wijk"], rec["style"], "code"),
            "uitkomst": r.codes(
                shown_from(rec["uitkomst"], rec["datum_besluit"], cutoff), self.codes("uitkomst")
            ),
            "reden_einde": r.codes(
                shown_from(rec["reden_einde"], rec["datum_einde_hulp"], cutoff),
                self.codes("reden_einde"),
            ),
            "verlengde_jeugdhulp": r.booleans(
                shown_from(rec["verlengde_jeugdhulp"], rec["_overgang"], cutoff), rec["style"]
            ),
            "vervolg_na_18": r.codes(
                shown_from(rec["vervolg_na_18"], rec["_overgang"], cutoff),
                self.codes("vervolg_na_18"),
            ),
            "opmerking": render_notes(self.code, rec["note"], rec["bsn"]),
        }
        out |= self.code_columns(world, rec, "verwijzer")
        out |= self.dates(world, rec, cutoff, *(e for e in self.events if not e.startswith("_")))
        return out


class Inkomen(Team):
    code, prefix = "inkomen", "INK"
    events = ("datum_aanvraag", "datum_besluit")
    CLIENT_KINDS = (SINGLE, FAMILY, SENIOR)
    CLIENT_KIND_P = (0.52, 0.38, 0.10)
    # regeling: bijstand, bijzondere_bijstand, individuele_inkomenstoeslag, minimaregeling, bbz
    REGELING_P = (0.28, 0.35, 0.10, 0.24, 0.03)
    BEDRAG = (
        (900, 1450),
        (25, 350),
        (25, 50),
        (10, 60),
        (800, 1300),
    )  # per regeling, euro per month
    # besluit: toegekend, afgewezen, buiten_behandeling, ingetrokken
    BESLUIT_P = (0.72, 0.14, 0.08, 0.06)

    def generate(self, world, rng, month, n, spawn, transition=False):
        if spawn is None:
            day = month_days(rng, world.calendar, month, n)
            wijk = choose(rng, world.wijk_weights["inkomen"], n)
            kind = np.array(self.CLIENT_KINDS)[choose(rng, self.CLIENT_KIND_P, n)]
            client, household, found = draw_adults(
                world, rng, wijk, kind, P_KWETSBAAR["inkomen"], day
            )
            day, client, household, wijk = day[found], client[found], household[found], wijk[found]
            regeling = choose(rng, self.REGELING_P, day.size)
        else:
            day = spawn.day
            client, household, wijk = forced_members(world, spawn)
            from_youth = spawn.team == team_index("jeugd")  # participatiewet after 18: bijstand
            regeling = np.where(from_youth, 0, choose(rng, self.REGELING_P, day.size))
        n = day.size
        besluit_day = day + rng.lognormal(np.log(24), 0.55, n).astype(np.int64) + 1
        besluit = choose(rng, self.BESLUIT_P, n)
        lo = np.array([b[0] for b in self.BEDRAG])[regeling]
        hi = np.array([b[1] for b in self.BEDRAG])[regeling]
        bedrag = np.round(lo + rng.random(n) * (hi - lo), 2)
        note, bsn = draw_notes(rng, "inkomen", n)
        records = {
            "client": client,
            "household": household,
            "wijk": messy_wijk(rng, wijk, 0.02, 0.004),
            "regeling": regeling.astype(np.int8),
            "datum_aanvraag": day,
            "datum_besluit": besluit_day,
            "besluit": besluit.astype(np.int8),
            "bedrag_per_maand": bedrag,
            "note": note,
            "bsn": bsn,
        }
        return Generated(records, regie_spawns(world, rng, "inkomen", household, day))

    def render(self, world, rec, cutoff):
        r = world.renderer
        decided = rec["datum_besluit"] <= cutoff
        granted = decided & (rec["besluit"] == self.index("besluit", "toegekend"))
        out = {
            "aanvraagnummer": r.ids(self.prefix, rec["seq"], rec["datum_aanvraag"]),
            "client_pseudo": r.persons(rec["client"]),
            "huishouden_pseudo": r.households(rec["household"]),
            "wijk": r.wijk(rec["wijk"], rec["style"], "capitals"),
            "besluit": r.codes(np.where(decided, rec["besluit"], EMPTY), self.codes("besluit")),
            "bedrag_per_maand": r.decimals(rec["bedrag_per_maand"], granted, 2),
            "opmerking": render_notes(self.code, rec["note"], rec["bsn"]),
        }
        out |= self.code_columns(world, rec, "regeling")
        out |= self.dates(world, rec, cutoff, *self.events)
        return out


class Schuldhulp(Team):
    code, prefix = "schuldhulp", "BAB"
    events = (
        "datum_aanmelding",
        "datum_eerste_gesprek",
        "datum_plan_van_aanpak",
        "datum_einde",
        "_traject",
    )
    CLIENT_KINDS = (SINGLE, FAMILY, SENIOR)
    CLIENT_KIND_P = (0.55, 0.40, 0.05)
    # bron_aanmelding: zelf, vroegsignalering, geldfit, ketenpartner, overig (2021 -> 2025)
    BRON_P = (np.array([0.47, 0.14, 0.15, 0.18, 0.06]), np.array([0.34, 0.30, 0.14, 0.17, 0.05]))
    # traject: informatie_advies, budgetbeheer, schuldregeling, doorverwezen_geldfit
    TRAJECT_P = (0.35, 0.20, 0.30, 0.15)
    SPOED_WORKDAYS = (1, 2, 3, 4, 5, 7)
    SPOED_WORKDAYS_P = (0.35, 0.30, 0.22, 0.07, 0.04, 0.02)

    def generate(self, world, rng, month, n, spawn, transition=False):
        if spawn is None:
            day = month_days(rng, world.calendar, month, n)
            wijk = choose(rng, world.wijk_weights["schuldhulp"], n)
            kind = np.array(self.CLIENT_KINDS)[choose(rng, self.CLIENT_KIND_P, n)]
            client, household, found = draw_adults(
                world, rng, wijk, kind, P_KWETSBAAR["schuldhulp"], day
            )
            day, client, household, wijk = day[found], client[found], household[found], wijk[found]
            first, last = self.BRON_P
            t = np.clip((year_of(day) - TREND_FIRST) / (TREND_LAST - TREND_FIRST), 0, 1)[:, None]
            bron = choose_rows(rng, first + (last - first) * t)
        else:
            day = spawn.day
            client, household, wijk = forced_members(world, spawn)
            bron = np.where(spawn.team == team_index("voorliggend"), 2, 3)  # geldfit / ketenpartner
        n = day.size
        spoed = choose(rng, (0.80, 0.15, 0.05), n)  # nee, ja, unknown
        spoed = np.array([0, 1, EMPTY])[spoed]
        workdays = np.array(self.SPOED_WORKDAYS)[choose(rng, self.SPOED_WORKDAYS_P, n)]
        regular = day + rng.lognormal(np.log(13), 0.6, n).astype(np.int64) + 1
        gesprek = np.where(spoed == 1, add_workdays(day, workdays), regular)

        traject = choose(rng, self.TRAJECT_P, n)
        long_run = (traject == 1) | (
            traject == 2
        )  # budgetbeheer, schuldregeling: a plan van aanpak
        dropout = rng.random(n) < 0.10
        plan = np.where(long_run & ~dropout, gesprek + between(rng, 14, 56, n), NEVER)
        traject_day = np.where(long_run, plan, gesprek)
        traject = np.where(dropout, EMPTY, traject)
        einde = np.select(
            [dropout, traject == 0, traject == 3, traject == 1],
            [
                gesprek + between(rng, 14, 90, n),
                gesprek + between(rng, 0, 30, n),
                gesprek + between(rng, 0, 14, n),
                plan + gamma_days(rng, 1.5, 2.0),
            ],
            default=plan + between(rng, 1.0 * YEAR, 3.6 * YEAR, n),
        )
        note, bsn = draw_notes(rng, "schuldhulp", n)
        records = {
            "client": client,
            "household": household,
            "wijk": messy_wijk(rng, wijk, 0.01, 0.004),
            "bron_aanmelding": bron.astype(np.int8),
            "spoed": spoed.astype(np.int8),
            "datum_aanmelding": day,
            "datum_eerste_gesprek": gesprek,
            "datum_plan_van_aanpak": plan,
            "datum_einde": einde,
            "_traject": traject_day,
            "traject": traject.astype(np.int8),
            "note": note,
            "bsn": bsn,
        }
        return Generated(records, regie_spawns(world, rng, "schuldhulp", household, day))

    def render(self, world, rec, cutoff):
        r = world.renderer
        out = {
            "aanmeldnummer": r.ids(self.prefix, rec["seq"], rec["datum_aanmelding"]),
            "client_pseudo": r.persons(rec["client"]),
            "huishouden_pseudo": r.households(rec["household"]),
            "wijk": r.wijk(rec["wijk"], rec["style"], "typed"),
            "spoed": r.booleans(rec["spoed"], rec["style"]),
            "traject": r.codes(
                shown_from(rec["traject"], rec["_traject"], cutoff), self.codes("traject")
            ),
            "opmerking": render_notes(self.code, rec["note"], rec["bsn"]),
        }
        out |= self.code_columns(world, rec, "bron_aanmelding")
        out |= self.dates(world, rec, cutoff, *(e for e in self.events if not e.startswith("_")))
        return out


class Voorliggend(Team):
    code, prefix = "voorliggend", "VLV"
    events = ("datum_contact", "_afgehandeld")
    CLIENT_KINDS = (SENIOR, SINGLE, FAMILY)
    CLIENT_KIND_P = (0.35, 0.35, 0.30)
    P_ANONYMOUS = 0.40
    # organisatie: voor_elkaar_team, geldfit, welzijn, mantelzorgsteunpunt, overig
    ORGANISATIE_P = (0.45, 0.12, 0.25, 0.10, 0.08)
    # thema per organisatie (wonen, zorg_gezondheid, financien, werk_dagbesteding, sociaal_netwerk,
    # opvoeden, veiligheid, overig)
    THEMA_P = np.array(
        [
            (0.15, 0.22, 0.12, 0.08, 0.20, 0.10, 0.04, 0.09),
            (0.03, 0.00, 0.90, 0.04, 0.00, 0.00, 0.00, 0.03),
            (0.10, 0.12, 0.06, 0.16, 0.36, 0.08, 0.03, 0.09),
            (0.05, 0.55, 0.05, 0.02, 0.30, 0.00, 0.00, 0.03),
            (0.15, 0.15, 0.15, 0.10, 0.15, 0.10, 0.05, 0.15),
        ]
    )
    # doorverwezen_naar per thema: wmo, jeugd, inkomen, schuldhulp, bwmo
    NAAR_P = np.array(
        [
            (0.70, 0.00, 0.05, 0.05, 0.20),
            (0.90, 0.05, 0.00, 0.00, 0.05),
            (0.00, 0.00, 0.45, 0.55, 0.00),
            (0.70, 0.05, 0.25, 0.00, 0.00),
            (0.85, 0.05, 0.05, 0.00, 0.05),
            (0.05, 0.95, 0.00, 0.00, 0.00),
            (0.40, 0.40, 0.00, 0.00, 0.20),
            (0.40, 0.10, 0.25, 0.25, 0.00),
        ]
    )
    P_REFERRAL = 0.10

    def generate(self, world, rng, month, n, spawn, transition=False):
        pop = world.population
        if spawn is None:
            day = month_days(rng, world.calendar, month, n)
            wijk = choose(rng, world.wijk_weights["voorliggend"], n)
            kind = np.array(self.CLIENT_KINDS)[choose(rng, self.CLIENT_KIND_P, n)]
            household = pop.draw_households(rng, wijk, kind, P_KWETSBAAR["voorliggend"])
            household = np.where(rng.random(n) < self.P_ANONYMOUS, -1, household)
            organisatie = choose(rng, self.ORGANISATIE_P, n)
        else:
            day, household = spawn.day, spawn.household
            wijk, kind = pop.wijk_of(household), pop.kind_of(household)
            organisatie = choose(rng, (0.6, 0.1, 0.3, 0, 0), day.size)
        n = day.size
        thema = choose_rows(rng, self.THEMA_P[organisatie])
        naar_names = ("wmo", "jeugd", "inkomen", "schuldhulp", "bwmo")
        naar = np.array([team_index(t) for t in naar_names])[choose_rows(rng, self.NAAR_P[thema])]
        no_children = kind != FAMILY
        naar = np.where(
            (naar == team_index("jeugd")) & no_children & (household >= 0), team_index("wmo"), naar
        )
        referred = (rng.random(n) < self.P_REFERRAL) & (spawn is None)
        naar = np.where(referred, naar, EMPTY)
        # Answered in the voorliggend veld itself: more and more over the years.
        answered = rng.random(n) < trend(year_of(day), 0.50, 0.75)
        afgehandeld = np.where(
            referred, (rng.random(n) < 0.08).astype(np.int64), answered.astype(np.int64)
        )
        afgehandeld = np.where(rng.random(n) < 0.04, EMPTY, afgehandeld)
        decided_later = rng.random(n) < 0.2
        afgehandeld_day = np.where(decided_later, day + between(rng, 7, 45, n), day)
        records = {
            "household": household,
            "wijk": messy_wijk(rng, wijk, 0.06, 0.01),
            "organisatie": organisatie.astype(np.int8),
            "datum_contact": day,
            "thema": thema.astype(np.int8),
            "afgehandeld": afgehandeld.astype(np.int8),
            "_afgehandeld": afgehandeld_day,
            "doorverwezen_naar": naar.astype(np.int8),
        }
        referral_day = np.where(naar >= 0, day + between(rng, 1, 9, n), NEVER)
        return Generated(
            records, referral_spawns(rng, "voorliggend", naar, household, referral_day)
        )

    def render(self, world, rec, cutoff):
        r = world.renderer
        out = {
            "contactnummer": r.ids(self.prefix, rec["seq"], rec["datum_contact"]),
            "huishouden_pseudo": r.households(rec["household"]),
            "wijk": r.wijk(rec["wijk"], rec["style"], "typed"),
            "afgehandeld": r.booleans(
                shown_from(rec["afgehandeld"], rec["_afgehandeld"], cutoff), rec["style"]
            ),
        }
        out |= self.code_columns(world, rec, "organisatie", "thema", "doorverwezen_naar")
        out |= self.dates(world, rec, cutoff, "datum_contact")
        return out


class Bwmo(Team):
    code, prefix = "bwmo", "BWM"
    events = (
        "datum_aanmelding",
        "datum_indicatie",
        "datum_plaatsing",
        "datum_uitstroom",
        "_ingetrokken",
    )
    P_OWN_GEMEENTE = 0.6
    # voorziening: beschermd_wonen, beschermd_thuis, maatschappelijke_opvang
    VOORZIENING_P = (0.35, 0.25, 0.40)
    PLAATSING_MEAN_DAYS = (130, 45, 6)  # the waiting list is for beschermd wonen
    UITSTROOM_MEAN_YEARS = (2.5, 1.5, 0.35)

    def generate(self, world, rng, month, n, spawn, transition=False):
        if spawn is None:
            day = month_days(rng, world.calendar, month, n)
            # Deventer is centrumgemeente: part of the clients come from the region.
            own = (rng.random(n) < self.P_OWN_GEMEENTE) | (len(world.regio) == 0)
            wijk = choose(rng, world.wijk_weights["inkomen"], n)
            client, _, found = draw_adults(
                world, rng, wijk, np.full(n, SINGLE), P_KWETSBAAR["bwmo"], day
            )
            outsider = OUTSIDERS + rng.integers(0, 1 << 40, n)
            client = np.where(own & found, client, outsider)
            herkomst = np.where(own, 0, 1 + rng.integers(0, max(1, len(world.regio)), n))
        else:
            day = spawn.day
            client, _, _ = forced_members(world, spawn)
            herkomst = np.zeros(day.size, dtype=np.int64)
        n = day.size
        voorziening = choose(rng, self.VOORZIENING_P, n)
        opvang = voorziening == 2
        indicatie = day + np.where(opvang, between(rng, 0, 7, n), between(rng, 7, 42, n))
        withdrawn_early = rng.random(n) < 0.08
        withdrawn_waiting = ~withdrawn_early & (rng.random(n) < 0.06)
        wait = gamma_days(rng, np.array(self.PLAATSING_MEAN_DAYS)[voorziening] / YEAR, 1.5)
        plaatsing = np.where(withdrawn_early | withdrawn_waiting, NEVER, indicatie + wait)
        indicatie = np.where(withdrawn_early, NEVER, indicatie)
        ingetrokken = np.select(
            [withdrawn_early, withdrawn_waiting],
            [day + between(rng, 7, 60, n), indicatie + between(rng, 30, 200, n)],
            default=NEVER,
        )
        stay = gamma_days(rng, np.array(self.UITSTROOM_MEAN_YEARS)[voorziening], 1.5)
        uitstroom = np.where(plaatsing < NEVER, plaatsing + stay, NEVER)
        records = {
            "client": client,
            "herkomst": herkomst.astype(np.int8),
            "voorziening": voorziening.astype(np.int8),
            "datum_aanmelding": day,
            "datum_indicatie": indicatie,
            "datum_plaatsing": plaatsing,
            "datum_uitstroom": uitstroom,
            "_ingetrokken": ingetrokken,
        }
        return Generated(records)

    def render(self, world, rec, cutoff):
        r = world.renderer
        gemeenten = (world.gemeente_code,) + world.regio
        status = np.full(rec["client"].size, self.index("status", "aangemeld"))
        for column, code in (
            ("datum_indicatie", "wachtlijst"),
            ("datum_plaatsing", "geplaatst"),
            ("datum_uitstroom", "uitgestroomd"),
            ("_ingetrokken", "ingetrokken"),
        ):
            status = np.where(rec[column] <= cutoff, self.index("status", code), status)
        out = {
            "aanmeldnummer": r.ids(self.prefix, rec["seq"], rec["datum_aanmelding"]),
            "client_pseudo": r.persons(rec["client"]),
            "herkomstgemeente": r.codes(rec["herkomst"], gemeenten),
            "status": r.codes(status, self.codes("status")),
        }
        out |= self.code_columns(world, rec, "voorziening")
        out |= self.dates(world, rec, cutoff, *(e for e in self.events if not e.startswith("_")))
        return out


class Regie(Team):
    code, prefix = "regie", "REG"
    events = ("datum_opschaling", "datum_afschaling")
    # niveau: procesregisseur, doorbraakteam, zorg_veiligheidshuis, burgemeester, mandaatcommissie
    NIVEAU_P = (0.55, 0.25, 0.12, 0.03, 0.05)
    # resultaat on afschaling: plan_akkoord, doorbraak, geen_doorbraak
    RESULTAAT = ("plan_akkoord", "doorbraak", "geen_doorbraak")
    RESULTAAT_P = (0.45, 0.33, 0.22)

    def generate(self, world, rng, month, n, spawn, transition=False):
        if spawn is None:
            return Generated({})
        n = spawn.day.size
        opschaling = spawn.day
        afschaling = opschaling + gamma_days(rng, 0.45, 1.6)
        final = np.array([self.index("resultaat", c) for c in self.RESULTAAT])[
            choose(rng, self.RESULTAAT_P, n)
        ]
        # while the case runs, some systems say "lopend", others leave it empty
        interim = np.where(rng.random(n) < 0.6, self.index("resultaat", "lopend"), EMPTY)
        records = {
            "household": spawn.household,
            "ingebracht_door": spawn.team.astype(np.int8),
            "niveau": choose(rng, self.NIVEAU_P, n).astype(np.int8),
            "datum_opschaling": opschaling,
            "datum_afschaling": afschaling,
            "resultaat": final.astype(np.int8),
            "resultaat_lopend": interim.astype(np.int8),
        }
        return Generated(records)

    def render(self, world, rec, cutoff):
        r = world.renderer
        resultaat = np.where(
            rec["datum_afschaling"] <= cutoff, rec["resultaat"], rec["resultaat_lopend"]
        )
        out = {
            "casusnummer": r.ids(self.prefix, rec["seq"], rec["datum_opschaling"]),
            "huishouden_pseudo": r.households(rec["household"]),
            "resultaat": r.codes(resultaat, self.codes("resultaat")),
        }
        out |= self.code_columns(world, rec, "ingebracht_door", "niveau")
        out |= self.dates(world, rec, cutoff, *self.events)
        return out


TEAMS: dict[str, Team] = {
    t.code: t for t in (Wmo(), Jeugd(), Bwmo(), Inkomen(), Schuldhulp(), Voorliggend(), Regie())
}
