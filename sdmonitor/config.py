"""The gemeente's configuration: one TOML file, passed on to dbt as vars."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "config" / "gemeente.toml"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DASHBOARD_APP = REPO_ROOT / "dashboard" / "app.py"


@dataclass(frozen=True)
class Config:
    gemeente_code: str
    gemeente_naam: str
    wijken_csv: Path
    benchmarks_csv: Path
    basisperiode: str
    min_noemer: int
    min_telling: int
    follow_up_dagen: int
    doorverwijzing_dagen: int
    termijnen: dict[str, int]

    def dbt_vars(self) -> dict:
        """The values the dbt models read with var(); the only way config reaches SQL."""
        return {
            "gemeente_code": self.gemeente_code,
            "gemeente_naam": self.gemeente_naam,
            "basisperiode": self.basisperiode,
            "min_noemer": self.min_noemer,
            "min_telling": self.min_telling,
            "follow_up_dagen": self.follow_up_dagen,
            "doorverwijzing_dagen": self.doorverwijzing_dagen,
            "termijnen": self.termijnen,
        }


def _resolve(path: str, base: Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else (base / p)


def load_config(path: Path | str | None = None) -> Config:
    """Read the config file named by `path`, $SDM_CONFIG, or the shipped default."""
    path = Path(path or os.environ.get("SDM_CONFIG") or DEFAULT_CONFIG)
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    # Relative reference paths resolve against the repository root for the shipped config,
    # and against the config file's own folder for a gemeente's own config elsewhere.
    base = REPO_ROOT if path.resolve().parent == DEFAULT_CONFIG.parent else path.resolve().parent
    monitor = raw["monitor"]
    return Config(
        gemeente_code=raw["gemeente"]["code"],
        gemeente_naam=raw["gemeente"]["naam"],
        wijken_csv=_resolve(raw["reference"]["wijken"], base),
        benchmarks_csv=_resolve(raw["reference"]["benchmarks"], base),
        basisperiode=monitor["basisperiode"],
        min_noemer=int(monitor["min_noemer"]),
        min_telling=int(monitor["min_telling"]),
        follow_up_dagen=int(monitor["follow_up_dagen"]),
        doorverwijzing_dagen=int(monitor["doorverwijzing_dagen"]),
        termijnen={k: int(v) for k, v in raw["termijnen"].items()},
    )
