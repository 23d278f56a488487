"""Deterministic demo exports for all nine sources, per the data contract (scale 1 = Deventer).

    generate(out, scale=1.0, seed=2025) -> summary

writes `<out>/<bron>/<bron>_<yyyymmdd>.csv`: one file per source per month from 2021-01 to
2025-12, dated on the first day of the next month, each holding the records created or changed
in that month. The first file of a team also holds what was still open or running from earlier
years (the simulation starts in 2015, when the toegang began).

How it works, month by month (streaming: nothing is kept but what can still change):
1. every team draws its new records for the month with their whole future (_generate_sources);
   referrals, follow-ups after 18 and escalations become records of the receiving team;
2. each team's export shows every record with an event in the month, as it stood on the last day
   of the month (_generate_render), messy the way the contract allows (this module);
3. records whose last event has been exported are forgotten.
Same seed and scale give byte-identical files: all randomness comes from numpy Generators keyed
by (seed, month, stream), never from hash() or set order.
"""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import repeat
from pathlib import Path

import numpy as np

from sdmonitor._generate_periodic import capacity_columns, survey_chunks
from sdmonitor._generate_render import Renderer
from sdmonitor._generate_sources import (
    SEASON,
    TEAMS,
    WMO_TRANSITION_COHORT,
    YEARLY_VOLUME,
    Records,
    Spawn,
    Team,
    World,
    take,
    trend,
)
from sdmonitor._generate_world import NEVER, Calendar, Hasher, Population, read_wijken
from sdmonitor.config import Config, load_config
from sdmonitor.contract import CONTRACT, DELIMITER, SOURCES_ORDER

# ---------------------------------------------------------------------------------------------
# The demo story, as data. Wijk names not in the configured reference list are ignored, so
# another gemeente's wijken simply get the average profile.

# Relative use per team (1 = average per inhabitant); "kwetsbaar" sizes the pool of
# multi-problem households that several teams keep meeting.
WIJK_PROFIEL: dict[str, dict[str, float]] = {
    "Rivierenwijk en Bergweide": {
        "inkomen": 2.4,
        "schuldhulp": 2.2,
        "jeugd": 1.3,
        "wmo": 1.15,
        "voorliggend": 1.3,
        "kwetsbaar": 2.5,
    },
    "Voorstad": {
        "inkomen": 2.1,
        "schuldhulp": 2.0,
        "jeugd": 1.2,
        "wmo": 1.1,
        "voorliggend": 1.2,
        "kwetsbaar": 2.0,
    },
    "Keizerslanden": {"inkomen": 1.4, "schuldhulp": 1.4, "jeugd": 1.1, "kwetsbaar": 1.4},
    "Zandweerd": {"inkomen": 1.3, "schuldhulp": 1.3, "kwetsbaar": 1.3},
    "Binnenstad": {"wmo": 1.2, "voorliggend": 1.3},
    "Colmschate-Vijfhoek": {
        "wmo": 0.45,
        "inkomen": 0.6,
        "schuldhulp": 0.6,
        "jeugd": 0.9,
        "kwetsbaar": 0.5,
    },
    "Colmschate-Zuid": {"inkomen": 0.8, "schuldhulp": 0.8},
    "Schalkhaar": {"inkomen": 0.6, "schuldhulp": 0.6, "kwetsbaar": 0.6},
    "Lettele": {"wmo": 0.85, "inkomen": 0.5, "schuldhulp": 0.5, "kwetsbaar": 0.5},
    "Bathmen": {"inkomen": 0.6, "schuldhulp": 0.6, "kwetsbaar": 0.6},
}
# Centrumgemeenten run beschermd wonen / opvang for their region: clients' herkomstgemeente.
BWMO_REGIO: dict[str, tuple[str, ...]] = {"GM0150": ("GM1773", "GM0177", "GM0301", "GM1859")}

FIRST_EXPORT_MONTH = (2021, 1)
LAST_EXPORT_MONTH = (2025, 12)
# Months before the first export in which a team's new records are simulated (None: since 2015),
# so that the first export holds realistic open and running records.
RUN_IN_MONTHS: dict[str, int | None] = {
    "wmo": None,
    "jeugd": None,
    "bwmo": None,
    "schuldhulp": None,
    "inkomen": 6,
    "voorliggend": 3,
}
# Yearly volume change of the voorliggend veld (it grows; the rest is about level).
VOORLIGGEND_GROWTH = (16000 / 20000, 24000 / 20000)  # factor in 2021, in 2025

# ---------------------------------------------------------------------------------------------
# The legal messiness of the files

NO_BOM_SOURCES = ("regie",)  # the regie system writes UTF-8 without a byte order mark
P_NEW_COLUMN_ORDER = 0.08  # a system update changes the column order from this export on
P_EXTRA_COLUMN = 0.2
EXTRA_COLUMNS: tuple[tuple[str, Callable[[date], str]], ...] = (
    ("exportdatum", lambda d: d.strftime("%d-%m-%Y")),
    ("registratiesysteem", lambda d: "Suite4SociaalDomein 5.2"),
    ("medewerker_team", lambda d: "Team Oost"),
    ("versie", lambda d: f"{d.year % 100}.{d.month}"),
)

CHUNK_ROWS = 5_000  # records rendered to text at a time

_ORGANIC_STREAM, _SPAWN_STREAM, _STYLE_STREAM, _LAYOUT_STREAM = 101, 102, 103, 104
_SPAWN_ORDER = ("voorliggend", "wmo", "jeugd", "inkomen", "schuldhulp", "bwmo", "regie")


def generate(
    out: Path,
    scale: float = 1.0,
    seed: int = 2025,
    config: Config | None = None,
    progress: Callable[[str], None] = print,
) -> dict:
    """Write the demo exports under `out`; returns files and rows per source."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    started = time.monotonic()
    config = config or load_config()
    world = build_world(config, scale, seed)
    cal = world.calendar
    simulation = Simulation(world, seed)
    writer = ExportWriter(Path(out), seed)
    for month in range(cal.n_months):
        simulation.new_records(month)
        if month >= cal.window_first:
            for code in SOURCES_ORDER:
                writer.write(code, cal.export_date(month), simulation.export_chunks(code, month))
            year, month_of_year = cal.year_month(month)
            if month_of_year == 12:
                progress(
                    f"demo-exports {year} geschreven ({writer.total_rows():,} rijen tot nu toe)"
                )
        simulation.forget_finished(month)
    return {
        "out": str(out),
        "scale": scale,
        "seed": seed,
        "months": cal.n_months - cal.window_first,
        "files": {code: writer.files[code] for code in SOURCES_ORDER},
        "rows": {code: writer.rows[code] for code in SOURCES_ORDER},
        "seconds": round(time.monotonic() - started, 1),
    }


# ---------------------------------------------------------------------------------------------
# The world


def build_world(config: Config, scale: float, seed: int) -> World:
    wijken = read_wijken(config.wijken_csv)
    profile = {naam.casefold(): factors for naam, factors in WIJK_PROFIEL.items()}

    def factor(team: str) -> np.ndarray:
        return np.array([profile.get(w.naam.casefold(), {}).get(team, 1.0) for w in wijken])

    inwoners = np.array([w.inwoners for w in wijken], dtype=np.float64)
    young = np.array([w.inwoners_0_22 for w in wijken], dtype=np.float64)
    base = {"jeugd": young}
    weights = {
        team: _normalised(base.get(team, inwoners) * factor(team))
        for team in ("wmo", "jeugd", "inkomen", "schuldhulp", "voorliggend")
    }
    weights["inwoners"] = _normalised(inwoners)
    hasher = Hasher(seed)
    population = Population(wijken, scale, hasher, factor("kwetsbaar"))
    calendar = Calendar(FIRST_EXPORT_MONTH, LAST_EXPORT_MONTH)
    return World(
        calendar=calendar,
        population=population,
        renderer=Renderer(calendar, wijken, population),
        scale=scale,
        wijk_weights=weights,
        gemeente_code=config.gemeente_code,
        regio=BWMO_REGIO.get(config.gemeente_code, ()),
    )


def _normalised(weights: np.ndarray) -> np.ndarray:
    total = weights.sum()
    return weights / total if total > 0 else np.full(weights.size, 1 / weights.size)


# ---------------------------------------------------------------------------------------------
# The simulation: new records per month, and the records that can still change


class Pending:
    """A team's records whose future events have not all been exported yet."""

    def __init__(self, team: Team):
        self.team = team
        self.records: Records = {}
        self._new: list[Records] = []
        self.next_seq = 1

    def add(self, records: Records, rng: np.random.Generator) -> None:
        n = next(iter(records.values())).size
        if n == 0:
            return
        for event in self.team.events:  # dates beyond any export are all alike: never shown
            records[event] = np.minimum(records[event], NEVER).astype(np.int32)
        events = np.stack([records[e] for e in self.team.events])
        records["_first"] = events.min(axis=0)
        records["_last"] = np.where(events < NEVER, events, -1).max(axis=0)
        records["seq"] = np.arange(self.next_seq, self.next_seq + n, dtype=np.int64)
        records["style"] = rng.integers(0, 256, n).astype(np.uint8)  # spelling and case variants
        self.next_seq += n
        self._new.append(records)

    def _merged(self) -> Records:
        if self._new:
            parts = ([self.records] if self.records else []) + self._new
            self.records = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
            self._new = []
        return self.records

    def due(self, first_day: int, last_day: int, with_earlier: bool) -> Records:
        """Records with an event in [first_day, last_day] (and, for the first export, every
        record that started before it)."""
        records = self._merged()
        if not records:
            return {}
        due = np.zeros(records["seq"].size, dtype=bool)
        for event in self.team.events:
            due |= (records[event] >= first_day) & (records[event] <= last_day)
        if with_earlier:
            due |= records["_first"] < first_day
        return take(records, due)

    def forget_until(self, day: int) -> None:
        """Drop the records whose last event is on or before `day` (compacting now and then)."""
        records = self._merged()
        if not records or records["seq"].size == 0:
            return
        alive = records["_last"] > day
        if alive.mean() < 0.9:
            self.records = take(records, alive)


class Simulation:
    def __init__(self, world: World, seed: int):
        self.world = world
        self.seed = seed
        self.pending = {code: Pending(team) for code, team in TEAMS.items()}
        cal = world.calendar
        self.first_month = {
            code: 0 if months is None else max(0, cal.window_first - months)
            for code, months in RUN_IN_MONTHS.items()
        }

    def _rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *key])

    def _expected(self, code: str, month: int) -> float:
        year, month_of_year = self.world.calendar.year_month(month)
        volume = YEARLY_VOLUME[code] * self.world.scale / 12 * SEASON[month_of_year - 1]
        if code == "voorliggend":
            volume *= trend(np.array(year), *VOORLIGGEND_GROWTH)
        return float(volume)

    def new_records(self, month: int) -> None:
        """Every team's new records of the month, then what they set off elsewhere."""
        queue: dict[str, list[Spawn]] = defaultdict(list)
        for i, (code, first) in enumerate(self.first_month.items()):
            if month >= first:
                rng = self._rng(month, _ORGANIC_STREAM, i)
                n = int(rng.poisson(self._expected(code, month)))
                self._accept(
                    code, TEAMS[code].generate(self.world, rng, month, n, None), rng, queue
                )
        if month == 0:  # the clients that came over with the 2015 decentralisation
            rng = self._rng(month, _ORGANIC_STREAM, 99)
            n = round(WMO_TRANSITION_COHORT * self.world.scale)
            self._accept(
                "wmo",
                TEAMS["wmo"].generate(self.world, rng, month, n, None, transition=True),
                rng,
                queue,
            )
        round_ = 0
        while queue:
            for i, code in enumerate(_SPAWN_ORDER):
                spawns = queue.pop(code, None)
                if spawns:
                    rng = self._rng(month, _SPAWN_STREAM, round_, i)
                    self._accept(
                        code,
                        TEAMS[code].generate(self.world, rng, month, 0, Spawn.concat(spawns)),
                        rng,
                        queue,
                    )
            round_ += 1

    def _accept(
        self, code: str, generated, rng: np.random.Generator, queue: dict[str, list[Spawn]]
    ) -> None:
        if generated.records:
            self.pending[code].add(generated.records, rng)
        for target, spawn in generated.spawns:
            queue[target].append(spawn)

    def export_chunks(self, code: str, month: int) -> Iterator[dict[str, list[str]]]:
        """The columns of a team's export for the month, as it stood on the month's last day,
        in chunks of at most CHUNK_ROWS rows (so even the first export at a large scale never
        exists as Python strings all at once)."""
        cal = self.world.calendar
        first_day, last_day = int(cal.month_start[month]), cal.month_end(month)
        if code == "enquete":
            yield from survey_chunks(self.world, self.seed, *cal.year_month(month), CHUNK_ROWS)
            return
        if code == "capaciteit":
            yield capacity_columns(self.world, self.seed, month, cal.window_first)
            return
        records = self.pending[code].due(
            first_day, last_day, with_earlier=month == cal.window_first
        )
        n = records["seq"].size if records else 0
        for start in range(0, n, CHUNK_ROWS):
            chunk = {k: v[start : start + CHUNK_ROWS] for k, v in records.items()}
            yield TEAMS[code].render(self.world, chunk, last_day)

    def forget_finished(self, month: int) -> None:
        cal = self.world.calendar
        # Before the first export: keep whatever still happens from its first day on.
        day = max(cal.month_end(month), cal.window_start_day - 1)
        for pending in self.pending.values():
            pending.forget_until(day)


# ---------------------------------------------------------------------------------------------
# Writing the files


class FileLayout:
    """A source's column order (shuffled; changed now and then by a 'system update') and the
    occasional extra column a team adds to an export."""

    def __init__(self, seed: int, code: str):
        self.rng = np.random.default_rng([seed, _LAYOUT_STREAM, SOURCES_ORDER.index(code)])
        self.columns = list(CONTRACT[code].column_names)
        self._shuffle()

    def _shuffle(self) -> None:
        self.columns = [self.columns[i] for i in self.rng.permutation(len(self.columns))]

    def next_file(self, export_date: date) -> tuple[list[str], tuple[str, str] | None]:
        if self.rng.random() < P_NEW_COLUMN_ORDER:
            self._shuffle()
        header = list(self.columns)
        extra = None
        if self.rng.random() < P_EXTRA_COLUMN:
            name, value = EXTRA_COLUMNS[self.rng.integers(len(EXTRA_COLUMNS))]
            header.insert(int(self.rng.integers(len(header) + 1)), name)
            extra = (name, value(export_date))
        return header, extra


class ExportWriter:
    def __init__(self, out: Path, seed: int):
        self.out = out
        self.layouts = {code: FileLayout(seed, code) for code in SOURCES_ORDER}
        self.files: dict[str, int] = defaultdict(int)
        self.rows: dict[str, int] = defaultdict(int)

    def total_rows(self) -> int:
        return sum(self.rows.values())

    def write(self, code: str, export_date: date, chunks: Iterable[dict[str, list[str]]]) -> None:
        """One export file: the header, then the rows of each chunk of columns."""
        source = CONTRACT[code]
        header, extra = self.layouts[code].next_file(export_date)
        encoding = source.encoding
        if encoding == "utf-8-sig" and code in NO_BOM_SOURCES:
            encoding = "utf-8"
        folder = self.out / code
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{code}_{export_date:%Y%m%d}.csv"
        with open(path, "w", encoding=encoding, newline="") as fh:
            # Rows go through a buffer per chunk: one encode and write per chunk, not per row.
            buffer = io.StringIO(newline="")
            writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
            writer.writerow(header)
            for columns in chunks:
                if set(columns) != set(source.column_names):
                    raise AssertionError(
                        f"{code}: columns {sorted(columns)} are not the contract's"
                    )
                n = len(columns[source.column_names[0]])
                values = [
                    columns[name] if name in columns else repeat(extra[1], n) for name in header
                ]
                writer.writerows(zip(*values))
                self.rows[code] += n
                fh.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
            fh.write(buffer.getvalue())
        self.files[code] += 1
