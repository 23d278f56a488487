"""`sdmonitor benchmarks update`, offline: a recorded CBS response, and an unreachable CBS."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest

from sdmonitor.benchmarks import TABELLEN, update_benchmarks
from sdmonitor.config import load_config

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cbs"


def _recorded(tabel: str, filters: str) -> list[dict]:
    assert "NL01" in filters and "GM0150" in filters and "WK0150" in filters
    path = FIXTURES / f"{tabel}.json"
    if not path.exists():
        raise ConnectionError(f"no recorded response for {tabel}")
    return json.loads(path.read_text(encoding="utf-8"))


def _unreachable(tabel: str, filters: str) -> list[dict]:
    raise ConnectionError("Max retries exceeded with url: opendata.cbs.nl")


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


@pytest.fixture
def config(tmp_path):
    cfg = load_config()
    shipped = tmp_path / "benchmarks.csv"
    shipped.write_bytes(Path(cfg.benchmarks_csv).read_bytes())
    return replace(cfg, benchmarks_csv=shipped)


def test_recorded_cbs_response_refreshes_nl_gemeente_and_wijk_rows(config, tmp_path):
    out = tmp_path / "nieuw.csv"
    result = update_benchmarks(config, out=out, fetch=_recorded)

    assert result.bijgewerkt and result.tabellen == ["86050NED"]
    assert "85101NED" in result.bericht  # the table without a recorded response is named
    rows = {(r["indicator"], r["periode"], r["gebied_code"]): r for r in _read(out)}
    nl_h1 = rows[("maatwerk_per_1000", "2024-H1", "NL01")]
    assert nl_h1["waarde"] == "66" and nl_h1["status"] == "voorlopig" and nl_h1["tabel"] == "86050NED"
    assert "halfjaar" in nl_h1["definitie"]
    assert rows[("maatwerk_per_1000", "2024", "NL01")]["waarde"] == "73"
    assert rows[("maatwerk_per_1000", "2023-H2", "NL01")]["status"] == "definitief"
    assert rows[("maatwerk_per_1000", "2024-H1", "GM0150")]["waarde"] == "71"
    assert rows[("maatwerk_per_1000", "2024-H1", "WK015009")]["gebied_naam"] == "Colmschate-Vijfhoek"
    # quarters and empty figures are not benchmarks
    assert ("maatwerk_per_1000", "2022", "NL01") not in rows
    assert not any("kwartaal" in k[1] for k in rows)
    # rows of other publishers and peers are kept as shipped
    assert rows[("pct_wist_waar", "2018", "PEER_NIET_STEDELIJK")]["waarde"] == "80"
    assert rows[("pct_jeugd_met_jeugdhulp", "2023-H1", "NL01")]["waarde"] == "8,8"
    assert rows[("maatwerk_per_1000", "2024-H1", "GM0106")]["gebied_naam"] == "Assen"


def test_unreachable_cbs_keeps_the_shipped_file_with_a_dutch_message(config):
    before = Path(config.benchmarks_csv).read_bytes()
    result = update_benchmarks(config, fetch=_unreachable)

    assert not result.bijgewerkt
    assert "niet bereikbaar" in result.bericht and "blijven in gebruik" in result.bericht
    assert Path(config.benchmarks_csv).read_bytes() == before
    assert result.rijen == len(_read(Path(config.benchmarks_csv)))


def test_unreachable_cbs_with_out_writes_the_shipped_figures_there(config, tmp_path):
    out = tmp_path / "elders" / "benchmarks.csv"
    result = update_benchmarks(config, out=out, fetch=_unreachable)
    assert not result.bijgewerkt
    assert len(_read(out)) == len(_read(Path(config.benchmarks_csv)))


def test_every_cbs_table_maps_to_a_monitor_indicator():
    seed = (Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "indicatoren.csv").read_text()
    for tabel in TABELLEN:
        assert f"\n{tabel.indicator}," in seed
