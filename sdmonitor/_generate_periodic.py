"""The sources that are not about clients: surveys (enquete) and team capacity (capaciteit).

Both are stateless per export: what a file holds is computed from the seed and the month alone
(a survey is drawn from its own seed whenever one of its exports is written), so they need no
memory between months.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from sdmonitor._generate_render import EMPTY, UNKNOWN_WIJK, codes_of
from sdmonitor._generate_sources import TREND_FIRST, World, choose, trend

_ENQUETE_STREAM = 7001
_CAPACITEIT_STREAM = 7002

# ---------------------------------------------------------------------------------------------
# enquete

# Respondents per survey at scale 1.
RESPONDENTS = {"ceo_wmo": 800, "ceo_jeugd": 320, "bewonersonderzoek": 2000}
CEO_QUESTIONS = (
    "wist_waar",
    "snel_geholpen",
    "serieus_genomen",
    "samen_oplossing",
    "kwaliteit_goed",
    "beter_redden",
)
BEWONERS_QUESTIONS = ("weet_waar_terecht", "toegang_bereikbaar")
# Share of answers 4-5 among 1-5, per onderzoek and vraag: (2021 value, 2025 value).
AGREE_SHARE = {
    "ceo_wmo": {
        "wist_waar": (0.77, 0.80),
        "snel_geholpen": (0.74, 0.76),
        "serieus_genomen": (0.88, 0.89),
        "samen_oplossing": (0.80, 0.82),
        "kwaliteit_goed": (0.83, 0.84),
        "beter_redden": (0.79, 0.80),
    },
    "ceo_jeugd": {
        "wist_waar": (0.73, 0.78),
        "snel_geholpen": (0.62, 0.68),
        "serieus_genomen": (0.84, 0.86),
        "samen_oplossing": (0.78, 0.80),
        "kwaliteit_goed": (0.76, 0.78),
        "beter_redden": (0.72, 0.74),
    },
    "bewonersonderzoek": {"weet_waar_terecht": (0.52, 0.64), "toegang_bereikbaar": (0.58, 0.66)},
}
# Being kept waiting shows in the CEO of the waiting-list year.
SNEL_GEHOLPEN_DIP = {2023: -0.16}
# leeftijdsklasse: 0-17, 18-34, 35-64, 65-74, 75+ (respondents, and the population for weights)
AGE_SAMPLE = {
    "ceo_wmo": (0, 0.06, 0.20, 0.22, 0.52),
    "ceo_jeugd": (0.90, 0.10, 0, 0, 0),
    "bewonersonderzoek": (0, 0.18, 0.45, 0.19, 0.18),
}
AGE_POPULATION = {
    "ceo_wmo": (0, 0.08, 0.22, 0.20, 0.50),
    "ceo_jeugd": (0.88, 0.12, 0, 0, 0),
    "bewonersonderzoek": (0, 0.27, 0.45, 0.14, 0.14),
}
RESPONDENT_PREFIX = {"ceo_wmo": "CW", "ceo_jeugd": "CJ", "bewonersonderzoek": "BO"}
WIJK_WEIGHTS_OF = {"ceo_wmo": "wmo", "ceo_jeugd": "jeugd", "bewonersonderzoek": "inwoners"}
LATE_SHARE, CORRECTED_SHARE, SKIPPED_SHARE = 0.08, 0.015, 0.04


def surveys_exported_in(year: int, month: int) -> list[tuple[str, str, bool]]:
    """(onderzoek, meetperiode, late) of the surveys in the export of a month: the
    bewonersonderzoek in May and November, the yearly CEO in October (carried in H2), each with
    late returns and corrections a month later."""
    main = {
        5: [("bewonersonderzoek", "H1")],
        10: [("ceo_wmo", "H2"), ("ceo_jeugd", "H2")],
        11: [("bewonersonderzoek", "H2")],
    }
    out = [(o, f"{year}-{h}", False) for o, h in main.get(month, [])]
    out += [(o, f"{year}-{h}", True) for o, h in main.get(month - 1, [])]
    return out


SURVEY_COLUMNS = (
    "respondent_id",
    "onderzoek",
    "meetperiode",
    "wijkcode",
    "leeftijdsklasse",
    "vraag",
    "antwoord",
    "weging",
)


def survey_chunks(
    world: World, seed: int, year: int, month: int, chunk_rows: int
) -> Iterator[dict[str, list[str]]]:
    """The enquete rows of a month's export, at most `chunk_rows` at a time."""
    for onderzoek, periode, late in surveys_exported_in(year, month):
        yield from _survey_rows(world, seed, onderzoek, periode, late, chunk_rows)


def _survey_rows(
    world: World, seed: int, onderzoek: str, periode: str, late: bool, chunk_rows: int
) -> Iterator[dict[str, list[str]]]:
    """The rows of one survey that go in its main export (or, `late`, in the one after). The
    survey is drawn from its own seed, so both exports see the same respondents."""
    year = int(periode[:4])
    key = [seed, _ENQUETE_STREAM, list(RESPONDENTS).index(onderzoek), year, int(periode[-1])]
    rng = np.random.default_rng(key)
    n = max(10, round(RESPONDENTS[onderzoek] * world.scale))
    questions = BEWONERS_QUESTIONS if onderzoek == "bewonersonderzoek" else CEO_QUESTIONS

    wijk = choose(rng, world.wijk_weights[WIJK_WEIGHTS_OF[onderzoek]], n)
    wijk_effect = rng.normal(0, 0.03, len(world.wijk_weights["inwoners"]))[wijk]
    u = rng.random(n)
    wijk = np.where(u < 0.04, EMPTY, np.where(u < 0.05, UNKNOWN_WIJK, wijk)).astype(np.int16)
    style = rng.integers(0, 256, n)
    age = choose(rng, AGE_SAMPLE[onderzoek], n)
    sample, population = np.array(AGE_SAMPLE[onderzoek]), np.array(AGE_POPULATION[onderzoek])
    weging = population[age] / np.maximum(sample[age], 1e-9) * rng.lognormal(0, 0.15, n)
    weging = np.maximum(np.round(weging, 3), 0.05)
    is_late = rng.random(n) < LATE_SHARE
    corrected = ~is_late & (rng.random(n) < CORRECTED_SHARE)
    if late:  # late returns, and corrected weights of some earlier rows
        weging = np.where(corrected, np.round(weging * 1.04, 3), weging)

    r = world.renderer
    prefix = f"{RESPONDENT_PREFIX[onderzoek]}{periode.replace('-', '')}-"
    for vraag in questions:
        first, last = AGREE_SHARE[onderzoek][vraag]
        agree = (
            trend(np.array(year), first, last)
            + wijk_effect
            + (SNEL_GEHOLPEN_DIP.get(year, 0.0) if vraag == "snel_geholpen" else 0.0)
        )
        antwoord = _answers(rng, np.clip(agree, 0.05, 0.97))
        answered = rng.random(n) >= SKIPPED_SHARE
        in_file = answered & ((is_late | corrected) if late else ~is_late)
        rows = np.flatnonzero(in_file)
        for start in range(0, rows.size, chunk_rows):
            idx = rows[start : start + chunk_rows]
            yield {
                "respondent_id": [f"{prefix}{i:05d}" for i in idx.tolist()],
                "onderzoek": [onderzoek] * idx.size,
                "meetperiode": [periode] * idx.size,
                "wijkcode": r.wijk(wijk[idx], style[idx], "code"),
                "leeftijdsklasse": r.codes(age[idx], codes_of("enquete", "leeftijdsklasse")),
                "vraag": [vraag] * idx.size,
                "antwoord": r.codes(antwoord[idx], codes_of("enquete", "antwoord")),
                "weging": r.decimals(weging[idx], np.ones(idx.size, dtype=bool), 3),
            }


def _answers(rng: np.random.Generator, agree: np.ndarray) -> np.ndarray:
    """Answer code indices (1..5, 8, 9) with the given share of 4-5 among 1-5."""
    n = agree.size
    p = (
        np.stack(
            [
                0.15 * (1 - agree),
                0.25 * (1 - agree),
                0.60 * (1 - agree),
                0.55 * agree,
                0.45 * agree,
            ],
            axis=1,
        )
        * 0.94
    )
    p = np.concatenate([p, np.full((n, 2), 0.03)], axis=1)
    cum = np.cumsum(p, axis=1)
    return np.minimum((cum < rng.random(n)[:, None] * cum[:, -1:]).sum(axis=1), 6)


# ---------------------------------------------------------------------------------------------
# capaciteit

CAPACITY_TEAMS = ("wmo", "jeugd", "inkomen", "schuldhulp", "bwmo")
FTE_FORMATIE = {"wmo": 30.0, "jeugd": 22.0, "inkomen": 34.0, "schuldhulp": 12.0, "bwmo": 7.0}
# The wmo team of the demo story: vacancies and absence in 2023, extra formatie from 2024.
STORY = {
    "wmo": {
        2023: {"bezet": 0.80, "verzuim": 9.5},
        2024: {"formatie": 4.0},
        2025: {"formatie": 4.0},
    },
}
P_CORRECTION = 0.15


def capacity_columns(world: World, seed: int, month: int, first_month: int) -> dict[str, list[str]]:
    """One row per team for the month; sometimes a corrected row for the month before."""
    rows = [_capacity_row(world, seed, team, month, corrected=False) for team in CAPACITY_TEAMS]
    if month > first_month:
        for team in CAPACITY_TEAMS:
            rng = np.random.default_rng(
                [seed, _CAPACITEIT_STREAM, 1, CAPACITY_TEAMS.index(team), month]
            )
            if rng.random() < P_CORRECTION:
                rows.append(_capacity_row(world, seed, team, month - 1, corrected=True))
    return {
        "team": [r[0] for r in rows],
        "maand": [r[1] for r in rows],
        "fte_formatie": [r[2] for r in rows],
        "fte_bezet": [r[3] for r in rows],
        "verzuim_pct": [r[4] for r in rows],
    }


def _capacity_row(
    world: World, seed: int, team: str, month: int, corrected: bool
) -> tuple[str, ...]:
    year, month_of_year = world.calendar.year_month(month)
    rng = np.random.default_rng([seed, _CAPACITEIT_STREAM, 0, CAPACITY_TEAMS.index(team), month])
    story = STORY.get(team, {}).get(year, {})
    formatie = (
        FTE_FORMATIE[team] * (1 + 0.02 * (year - TREND_FIRST)) + story.get("formatie", 0.0)
    ) * world.scale
    bezet = formatie * min(1.0, story.get("bezet", 0.93) + rng.normal(0, 0.025))
    winter = 1.3 if month_of_year in (1, 2, 12) else 1.0
    verzuim = max(0.5, story.get("verzuim", 5.0) * winter + rng.normal(0, 0.8))
    if corrected:  # the bezetting is recounted afterwards
        bezet *= 1 + np.random.default_rng(
            [seed, _CAPACITEIT_STREAM, 2, CAPACITY_TEAMS.index(team), month]
        ).normal(0, 0.02)
    return (
        team,
        f"{year:04d}-{month_of_year:02d}",
        f"{formatie:.1f}".replace(".", ","),
        f"{max(0.0, bezet):.1f}".replace(".", ","),
        f"{verzuim:.1f}".replace(".", ","),
    )
