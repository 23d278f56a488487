"""Acceptance test of issue 4: a hand-made export set, expected values worked out from the spec.

tests/fixtures/handmade/exports/   the export set (written by make_exports.py, committed)
tests/fixtures/handmade/expected.csv   one row per verified cell (hand calculation in EXPECTED.md)

The warehouse is built once per module with the real pipeline. Then every expected cell must be
in fct_indicator with the expected value, and the privacy rules must hold everywhere.
"""

from __future__ import annotations

import csv
import math
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

HANDMADE = Path(__file__).resolve().parent / "fixtures" / "handmade"
EXPORTS = HANDMADE / "exports"
EXPECTED_CSV = HANDMADE / "expected.csv"

GEMEENTE = "GM0150"
WIJKEN = [
    "WK015001", "WK015003", "WK015004", "WK015005", "WK015006", "WK015007", "WK015008",
    "WK015009", "WK015010", "WK015011", "WK015012", "WK015014", "WK015015",
]
PERIODS = ["2023-H1", "2023-H2", "2024-H1", "2024-H2"]
MIN_NOEMER = 10  # config/gemeente.toml [monitor] min_noemer
MIN_TELLING = 5  # config/gemeente.toml [monitor] min_telling

# The spec's indicator codes, by how the privacy rules treat them.
COUNTS = {
    "wachtend", "wachtend_langer_dan_termijn", "cohort_18", "hulpvragen", "huishoudens_multi_team",
    "opschalingen", "doorverwijzingen",
}
PER_INHABITANT = {"maatwerk_per_1000", "pct_jeugd_met_jeugdhulp"}
RATIOS = {
    "pct_wist_waar", "pct_weet_waar_terecht", "pct_toegang_bereikbaar", "pct_kanaal", "pct_voorliggend",
    "pct_binnen_termijn", "pct_toekomstplan_tijdig", "pct_verlengde_jeugdhulp", "pct_vervolg_geregeld",
    "pct_zorggat", "pct_huishoudens_multi_team",
}
MEDIANS = {"doorlooptijd_mediaan", "doorlooptijd_p80", "doorverwijzing_dagen_mediaan"}
SHIFTS = {"verschuiving_pp_vorig", "verschuiving_pp_basis"}
CAPACITEIT = {"bezettingsgraad", "verzuim_pct", "wachtend_per_fte"}
GEMEENTE_ONLY = CAPACITEIT | {
    "huishoudens_multi_team", "pct_huishoudens_multi_team", "opschalingen", "doorverwijzingen",
    "doorverwijzing_dagen_mediaan",
}
WITH_CI = {"pct_wist_waar", "pct_weet_waar_terecht", "pct_toegang_bereikbaar"}
ALL_CODES = COUNTS | PER_INHABITANT | RATIOS | MEDIANS | SHIFTS | CAPACITEIT
assert len(ALL_CODES) == 28
STAGES = [
    "stap=melding_gesprek;team=wmo", "stap=aanvraag_besluit;team=wmo", "stap=melding_besluit;team=jeugd",
    "stap=aanvraag_besluit;team=inkomen", "stap=aanmelding_eerste_gesprek;team=schuldhulp",
    "stap=indicatie_plaatsing;team=bwmo",
]


def _expected_rows() -> list[dict]:
    with open(EXPECTED_CSV, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


EXPECTED = _expected_rows()


def _id(row: dict) -> str:
    parts = [row["indicator"], row["periode"], row["gebied_code"]]
    if row["uitsplitsing"]:
        parts.append(row["uitsplitsing"])
    return "|".join(parts)


# ---------------------------------------------------------------------------------------------
# The build, once


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from sdmonitor.build import build

    work = tmp_path_factory.mktemp("handmade")
    exports = work / "exports"
    shutil.copytree(EXPORTS, exports)  # the build never gets to touch the committed fixtures
    target = work / "monitor.duckdb"
    result = build(exports, target)
    if isinstance(result, int) and not isinstance(result, bool):
        assert result == 0, f"build returned {result}"
    assert target.exists(), "build published no warehouse"
    return target


@pytest.fixture(scope="module")
def fct(warehouse) -> dict[tuple[str, str, str, str], dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cur = con.execute(
            "select indicator, periode, gebied_code, coalesce(uitsplitsing, '') AS uitsplitsing, waarde, "
            "teller, noemer, ci_laag, ci_hoog, onderdrukt, reden_onderdrukt from fct_indicator"
        )
        cols = [c[0] for c in cur.description]
        rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()
    cells: dict[tuple[str, str, str, str], dict] = {}
    for r in rows:
        key = (r["indicator"], r["periode"], r["gebied_code"], r["uitsplitsing"])
        assert key not in cells, f"fct_indicator has two rows for {key}"
        cells[key] = r
    return cells


# ---------------------------------------------------------------------------------------------
# Every expected cell


def _num(text: str) -> float | None:
    return None if text.strip() == "" else float(text)


def _close(actual, expected: float) -> bool:
    if actual is None:
        return False
    tol = 0.01 if abs(expected) >= 1 else 0.0005
    return math.isclose(float(actual), expected, abs_tol=tol)


@pytest.mark.parametrize("exp", EXPECTED, ids=[_id(r) for r in EXPECTED])
def test_cell(fct, exp):
    key = (exp["indicator"], exp["periode"], exp["gebied_code"], exp["uitsplitsing"])
    assert key in fct, f"no fct_indicator row for {_id(exp)}"
    got = fct[key]
    summary = {k: got[k] for k in ("waarde", "teller", "noemer", "onderdrukt", "ci_laag", "ci_hoog")}
    want_suppressed = exp["onderdrukt"].strip().lower() == "true"
    assert bool(got["onderdrukt"]) == want_suppressed, f"onderdrukt: expected {want_suppressed}, got {summary}"
    if want_suppressed:
        assert got["waarde"] is None and got["teller"] is None and got["noemer"] is None, summary
        return
    for col in ("waarde", "teller", "noemer"):
        want = _num(exp[col])
        if want is None:
            assert got[col] is None, f"{col}: expected null, got {summary}"
        else:
            assert _close(got[col], want), f"{col}: expected {want}, got {summary}"
    if exp["indicator"] in COUNTS:
        assert float(got["waarde"]).is_integer(), f"a count must be whole: {summary}"
    for col in ("ci_laag", "ci_hoog"):
        want = _num(exp.get(col) or "")
        if want is not None:
            assert _close(got[col], want), f"{col}: expected {want}, got {summary}"
        elif exp["indicator"] not in WITH_CI:
            assert got[col] is None, f"{col}: only vindbaarheid has an interval, got {summary}"


def test_expected_covers_every_indicator_code():
    assert {r["indicator"] for r in EXPECTED} == ALL_CODES


# ---------------------------------------------------------------------------------------------
# Privacy, everywhere in fct_indicator


def _unsuppressed(fct, codes):
    return [(k, r) for k, r in fct.items() if k[0] in codes and not r["onderdrukt"]]


def test_no_small_count_survives(fct):
    bad = [k for k, r in _unsuppressed(fct, COUNTS)
           if r["waarde"] is not None and 1 <= r["waarde"] <= MIN_TELLING - 1]
    assert not bad, f"unsuppressed counts from 1 to {MIN_TELLING - 1}: {bad[:20]}"


def test_no_ratio_with_small_noemer_survives(fct):
    bad = [k for k, r in _unsuppressed(fct, RATIOS) if r["noemer"] is None or r["noemer"] < MIN_NOEMER]
    assert not bad, f"unsuppressed ratios with noemer < {MIN_NOEMER}: {bad[:20]}"


def test_no_per_inhabitant_figure_with_small_teller_survives(fct):
    bad = [k for k, r in _unsuppressed(fct, PER_INHABITANT)
           if r["teller"] is None or 1 <= r["teller"] <= MIN_TELLING - 1]
    assert not bad, f"unsuppressed per-inhabitant figures with teller 1..{MIN_TELLING - 1}: {bad[:20]}"


def test_secondary_suppression(fct):
    """Never exactly one suppressed area below the gemeente (medians and p80 excepted)."""
    suppressed = defaultdict(list)
    groups = set()
    for (ind, per, geb, uit), r in fct.items():
        if ind in MEDIANS or geb == GEMEENTE:
            continue
        groups.add((ind, per, uit))
        if r["onderdrukt"]:
            suppressed[(ind, per, uit)].append(geb)
    bad = {g: suppressed[g] for g in groups if len(suppressed[g]) == 1}
    assert not bad, f"exactly one suppressed area (recomputable from the gemeente row): {dict(list(bad.items())[:20])}"


def test_suppressed_cells_are_empty(fct):
    bad = [k for k, r in fct.items() if r["onderdrukt"]
           and any(r[c] is not None for c in ("waarde", "teller", "noemer", "ci_laag", "ci_hoog"))]
    assert not bad, f"suppressed cells still carrying figures: {bad[:20]}"
    no_reason = [k for k, r in fct.items() if r["onderdrukt"] and not r["reden_onderdrukt"]]
    assert not no_reason, f"suppressed cells without reden_onderdrukt: {no_reason[:20]}"


# ---------------------------------------------------------------------------------------------
# Which rows exist


def test_periods_are_first_to_last_half_year(fct):
    assert sorted({k[1] for k in fct}) == PERIODS


def test_full_grid_of_areas(fct):
    """Every indicator/period/breakdown at gemeente level has a row for every wijk and onbekend."""
    missing = []
    for (ind, per, geb, uit) in list(fct):
        if geb != GEMEENTE or ind in GEMEENTE_ONLY:
            continue
        areas = WIJKEN if ind in PER_INHABITANT else WIJKEN + ["onbekend"]
        missing += [(ind, per, a, uit) for a in areas if (ind, per, a, uit) not in fct]
    assert not missing, f"missing grid rows: {missing[:20]}"


def test_gemeente_only_and_no_onbekend_for_per_inhabitant(fct):
    wrong = [k for k in fct if (k[0] in GEMEENTE_ONLY and k[2] != GEMEENTE)
             or (k[0] in PER_INHABITANT and k[2] == "onbekend")]
    assert not wrong, wrong[:20]


def test_wachtend_always_six_stages(fct):
    missing = [(p, s) for p in PERIODS for s in STAGES if ("wachtend", p, GEMEENTE, s) not in fct]
    assert not missing, missing


def test_no_verschuiving_vorig_for_first_period(fct):
    assert not [k for k in fct if k[0] == "verschuiving_pp_vorig" and k[1] == PERIODS[0]]


def test_fixture_loads_without_quarantine(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select bron, bestand, regel, kolom, reden from quarantine").fetchall()
    finally:
        con.close()
    assert rows == [], f"the hand-made set is valid per the contract, yet: {rows[:10]}"


def test_bwmo_has_no_term_indicators(fct):
    """bwmo has no legal term: no pct_binnen_termijn and no wachtend_langer_dan_termijn rows."""
    wrong = [k for k in fct if k[0] in ("pct_binnen_termijn", "wachtend_langer_dan_termijn") and "team=bwmo" in k[3]]
    assert not wrong, wrong[:10]
