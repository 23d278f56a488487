"""Shared fixtures: a small generated export set and a real build of it, made once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Small enough for CI, large enough that most wijk cells are not suppressed.
DEMO_SCALE = 0.2
DEMO_SEED = 7


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory) -> Path:
    from sdmonitor.generate import generate

    out = tmp_path_factory.mktemp("demo") / "exports"
    generate(out, scale=DEMO_SCALE, seed=DEMO_SEED)
    return out


@pytest.fixture(scope="session")
def demo_warehouse(demo_exports, tmp_path_factory) -> Path:
    from sdmonitor.build import build

    warehouse = tmp_path_factory.mktemp("warehouse") / "monitor.duckdb"
    build(demo_exports, warehouse)
    return warehouse
