"""The demo generator writes exports that follow the data contract, messy where it may be.

The files are read here with a small parser of the test's own (csv module and the contract's
code sets), not with the landing code, so a shared mistake cannot hide.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tracemalloc
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from sdmonitor.config import load_config
from sdmonitor.contract import (
    BOOLEAN,
    CODE,
    CONTRACT,
    DATE,
    DECIMAL,
    FREE_TEXT,
    INTEGER,
    MONTH,
    PERIOD,
    SOURCES_ORDER,
    TEXT,
    WIJK_CODE,
    WIJK_NAME,
)
from sdmonitor.generate import generate

SCALE = 0.1
SEED = 11
MONTHS = 60  # 2021-01 .. 2025-12
FILE_NAME = re.compile(r"^(?P<bron>[a-z]+)_(?P<datum>\d{8})\.csv$")
# The contract's date formats, written out here rather than taken from contract.py.
DATE_FORMATS = {"jeugd": "%Y-%m-%d"}
DEFAULT_DATE_FORMAT = "%d-%m-%Y"
EARLIEST = date(2015, 1, 1)
HEX_PSEUDONYM = re.compile(r"^[0-9a-f]{16}$")


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "exports"
    generate(out, scale=SCALE, seed=SEED, progress=lambda _: None)
    return out


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory) -> dict[str, Path]:
    """Scale 0.05: twice with one seed, once with another."""
    runs = {}
    for name, seed in (("a", 5), ("b", 5), ("other", 6)):
        out = tmp_path_factory.mktemp(f"tiny_{name}")
        generate(out, scale=0.05, seed=seed, progress=lambda _: None)
        runs[name] = out
    return runs


def _decode(source: str, data: bytes) -> str:
    if source == "inkomen":
        return data.decode("cp1252")
    return data.decode("utf-8-sig")


def read_file(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    source = path.parent.name
    reader = csv.reader(io.StringIO(_decode(source, path.read_bytes()), newline=""), delimiter=";")
    header = next(reader)
    rows = []
    for record in reader:
        assert len(record) == len(header), (
            f"{path.name}: {len(record)} fields, header has {len(header)}"
        )
        rows.append(dict(zip(header, record)))
    return header, rows


@pytest.fixture(scope="module")
def parsed(exports) -> dict[str, list[tuple[date, list[str], list[dict[str, str]]]]]:
    """Per source, in export order: (export date, header, rows)."""
    out = {}
    for source in SOURCES_ORDER:
        files = sorted((exports / source).iterdir())
        out[source] = [
            (datetime.strptime(FILE_NAME.match(f.name)["datum"], "%Y%m%d").date(), *read_file(f))
            for f in files
        ]
    return out


def all_rows(parsed, source: str) -> list[dict[str, str]]:
    return [row for _, _, rows in parsed[source] for row in rows]


def latest(parsed, source: str) -> dict[tuple, dict[str, str]]:
    """Latest export wins, per the contract's key."""
    key = CONTRACT[source].key
    out = {}
    for _, _, rows in parsed[source]:
        for row in rows:
            out[tuple(row[k] for k in key)] = row
    return out


# ---------------------------------------------------------------------------------------------
# Files


def test_one_file_per_source_per_month(exports):
    assert sorted(p.name for p in exports.iterdir()) == sorted(SOURCES_ORDER)
    expected = [date(2021 + (m + 1) // 12, (m + 1) % 12 + 1, 1) for m in range(MONTHS)]
    for source in SOURCES_ORDER:
        names = sorted(p.name for p in (exports / source).iterdir())
        assert all(FILE_NAME.match(n) and n.startswith(f"{source}_") for n in names)
        dates = [datetime.strptime(FILE_NAME.match(n)["datum"], "%Y%m%d").date() for n in names]
        assert dates == expected, source


def test_same_seed_gives_identical_bytes_other_seed_differs(tiny_runs):
    def digests(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.csv"))
        }

    a, b, other = (digests(tiny_runs[k]) for k in ("a", "b", "other"))
    assert a == b
    assert a.keys() == other.keys()
    assert sum(a[k] != other[k] for k in a) > len(a) // 2


def test_encodings(exports):
    non_ascii_in_inkomen = False
    for source in SOURCES_ORDER:
        for path in sorted((exports / source).iterdir()):
            data = path.read_bytes()
            if source == "inkomen":
                assert not data.startswith(b"\xef\xbb\xbf")
                text = data.decode("cp1252")
                if not data.isascii():
                    non_ascii_in_inkomen = True
                    assert "Ã" not in text  # not UTF-8 read as Windows-1252
                    with pytest.raises(UnicodeDecodeError):
                        data.decode("utf-8")
            else:
                data.decode("utf-8")
                assert data.startswith(b"\xef\xbb\xbf") == (source != "regie"), path.name
    assert non_ascii_in_inkomen


def test_headers_are_shuffled_with_extra_columns_now_and_then(parsed):
    extra_seen = Counter()
    for source in SOURCES_ORDER:
        contract_columns = set(CONTRACT[source].column_names)
        orders = set()
        for _, header, _ in parsed[source]:
            assert contract_columns <= set(header), source
            assert len(set(header)) == len(header)
            extra_seen[source] += bool(set(header) - contract_columns)
            orders.add(tuple(c for c in header if c in contract_columns))
        assert orders - {tuple(CONTRACT[source].column_names)}, f"{source}: never shuffled"
        assert len(orders) >= 2, f"{source}: the column order never changes"
    assert sum(1 for n in extra_seen.values() if n) >= 5
    assert all(n < MONTHS for n in extra_seen.values())


# ---------------------------------------------------------------------------------------------
# Values


def _check_value(source: str, column, value: str, export_date: date) -> str | None:
    """Why the value breaks the contract, or None."""
    if value.strip() == "":
        return f"{column.name} is required" if column.required else None
    kind = column.kind
    if kind == DATE:
        try:
            day = datetime.strptime(value, DATE_FORMATS.get(source, DEFAULT_DATE_FORMAT)).date()
        except ValueError:
            return f"{column.name}: bad date {value!r}"
        if not EARLIEST <= day < export_date:
            return f"{column.name}: {value} outside 2015-01-01 .. export date"
    elif kind == CODE and value not in column.codes:
        return f"{column.name}: unknown code {value!r}"
    elif kind == BOOLEAN and value.lower() not in ("ja", "nee"):
        return f"{column.name}: not ja/nee: {value!r}"
    elif kind == DECIMAL and not re.fullmatch(r"\d+(,\d+)?", value):
        return f"{column.name}: not a non-negative comma decimal: {value!r}"
    elif kind == INTEGER and not re.fullmatch(r"-?\d+", value):
        return f"{column.name}: not an integer: {value!r}"
    elif kind == MONTH and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return f"{column.name}: not jjjj-mm: {value!r}"
    elif kind == PERIOD and not re.fullmatch(r"\d{4}-H[12]", value):
        return f"{column.name}: not jjjj-H1/H2: {value!r}"
    elif kind == WIJK_CODE and not re.fullmatch(r"WK\d{6}", value):
        return f"{column.name}: not a CBS wijk code: {value!r}"
    elif kind in (TEXT, WIJK_NAME, FREE_TEXT) and value != value.strip() and kind != FREE_TEXT:
        return f"{column.name}: surrounding spaces {value!r}"
    return None


def test_every_value_follows_the_contract(parsed):
    problems = []
    for source in SOURCES_ORDER:
        columns = CONTRACT[source].columns
        key = CONTRACT[source].key
        for export_date, _, rows in parsed[source]:
            keys = Counter(tuple(row[k] for k in key) for row in rows)
            assert max(keys.values(), default=1) == 1, f"{source} {export_date}: duplicate key"
            for row in rows:
                for column in columns:
                    problem = _check_value(source, column, row[column.name], export_date)
                    if problem:
                        problems.append(f"{source} {export_date}: {problem}")
    assert problems == []


def test_pseudonyms_are_opaque_and_never_bsn_like(parsed):
    for source in SOURCES_ORDER:
        for column in ("client_pseudo", "huishouden_pseudo"):
            if column in CONTRACT[source].column_names:
                values = {row[column] for row in all_rows(parsed, source)} - {""}
                assert values and all(HEX_PSEUDONYM.match(v) for v in values), (source, column)


def test_wijk_spellings_vary_as_the_contract_describes(parsed):
    wijken = [
        r.split(";")[:2] for r in load_config().wijken_csv.read_text("utf-8-sig").splitlines()[1:]
    ]
    names = {naam for _, naam in wijken}
    codes = {code for code, _ in wijken}
    typed = Counter(
        row["wijk"]
        for source in ("wmo", "schuldhulp", "voorliggend")
        for row in all_rows(parsed, source)
    )
    hyphenated = next(n for n in sorted(names) if "-" in n)
    assert {
        hyphenated,
        hyphenated.lower(),
        hyphenated.upper(),
        hyphenated.replace("-", " ").lower(),
    } <= set(typed)
    known = {re.sub(r"[\s-]+", "", n).casefold() for n in names}
    assert typed[""] > 0
    assert any(w and re.sub(r"[\s-]+", "", w).casefold() not in known for w in typed)
    capitals = {row["wijk"] for row in all_rows(parsed, "inkomen")} - {""}
    assert capitals and all(w == w.upper() for w in capitals)
    assert {n.upper() for n in names} <= capitals
    for source in ("jeugd", "enquete"):
        written = Counter(row["wijkcode"] for row in all_rows(parsed, source))
        assert codes <= set(written), source
        assert written[""] > 0 and set(written) - codes - {""}, source


def test_messy_but_legal_values_are_present(parsed):
    booleans = Counter(
        row[c]
        for s, c in (
            ("jeugd", "verlengde_jeugdhulp"),
            ("schuldhulp", "spoed"),
            ("voorliggend", "afgehandeld"),
        )
        for row in all_rows(parsed, s)
    )
    assert {"ja", "nee", "Ja", "Nee", "JA", "NEE", ""} <= set(booleans)
    notes = [
        row["opmerking"]
        for s in ("wmo", "jeugd", "inkomen", "schuldhulp")
        for row in all_rows(parsed, s)
    ]
    assert any(";" in n for n in notes) and any('"' in n for n in notes)
    assert any(ch in n for n in notes for ch in "éëï€")
    decimals = [row["bedrag_per_maand"] for row in all_rows(parsed, "inkomen")]
    assert any("," in d for d in decimals)


def test_free_text_holds_a_planted_bsn_now_and_then(parsed):
    numbers = [
        m
        for s in ("wmo", "jeugd", "inkomen", "schuldhulp")
        for row in all_rows(parsed, s)
        for m in re.findall(r"(?<!\d)\d{9}(?!\d)", row["opmerking"])
    ]
    assert numbers
    assert all(
        sum(int(c) * w for c, w in zip(n[:8], range(9, 1, -1))) % 11 == int(n[8]) for n in numbers
    )


# ---------------------------------------------------------------------------------------------
# The story the data must be able to tell


def test_records_come_back_with_later_events(parsed):
    seen: dict[str, dict[str, str]] = {}
    completed = 0
    for _, _, rows in parsed["wmo"]:
        for row in rows:
            earlier = seen.get(row["meldingnummer"])
            if earlier:
                assert earlier["datum_melding"] == row["datum_melding"]
                assert earlier["client_pseudo"] == row["client_pseudo"]
                completed += earlier["datum_gesprek"] == "" and row["datum_gesprek"] != ""
            seen[row["meldingnummer"]] = row
    assert completed > 50


def test_teams_meet_the_same_people(parsed):
    youths = {row["client_pseudo"] for row in all_rows(parsed, "jeugd")}
    adults_later = {row["client_pseudo"] for s in ("wmo", "inkomen") for row in all_rows(parsed, s)}
    assert len(youths & adults_later) >= 5
    households = defaultdict(set)
    for source in ("wmo", "jeugd", "inkomen", "schuldhulp", "voorliggend", "regie"):
        for row in all_rows(parsed, source):
            if row["huishouden_pseudo"]:
                households[row["huishouden_pseudo"]].add(source)
    multi = sum(len(teams) >= 2 for teams in households.values())
    assert multi > 0.03 * len(households)
    regie = {row["huishouden_pseudo"] for row in all_rows(parsed, "regie")}
    assert regie and all(len(households[h]) >= 2 for h in regie)


def test_eighteen_plus_transitions_with_and_without_follow_up(parsed):
    dossiers = latest(parsed, "jeugd").values()
    vervolg = Counter(row["vervolg_na_18"] for row in dossiers)
    assert vervolg["wmo"] and vervolg["participatiewet"] and vervolg["geen_nodig"]
    plans = [row for row in dossiers if row["datum_toekomstplan"]]
    assert len(plans) > 20


def _year_of(value: str, fmt: str) -> int:
    return datetime.strptime(value, fmt).year


# Rough volumes per year at scale 1, from the brief (records by their first date).
VOLUMES = {
    "wmo": ("datum_melding", 5000),
    "jeugd": ("datum_melding", 2500),
    "inkomen": ("datum_aanvraag", 6000),
    "schuldhulp": ("datum_aanmelding", 1200),
    "voorliggend": ("datum_contact", 20000),
    "bwmo": ("datum_aanmelding", 300),
    "regie": ("datum_opschaling", 150),
}


def test_volumes_are_proportional_to_scale(parsed):
    for source, (column, per_year) in VOLUMES.items():
        fmt = DATE_FORMATS.get(source, DEFAULT_DATE_FORMAT)
        in_2023 = sum(_year_of(r[column], fmt) == 2023 for r in latest(parsed, source).values())
        assert 0.5 * per_year * SCALE <= in_2023 <= 1.6 * per_year * SCALE, (source, in_2023)
    capaciteit = latest(parsed, "capaciteit")
    assert len(capaciteit) == 5 * MONTHS
    respondents = {
        r["respondent_id"]
        for r in latest(parsed, "enquete").values()
        if r["meetperiode"] == "2023-H2"
    }
    assert 0.5 * 3100 * SCALE <= len(respondents) <= 1.6 * 3100 * SCALE


def test_small_scale_has_every_source_and_wijk(tiny_runs):
    root = tiny_runs["a"]
    wijk_names = {
        line.split(";")[1].casefold()
        for line in load_config().wijken_csv.read_text("utf-8-sig").splitlines()[1:]
    }
    for source in SOURCES_ORDER:
        rows = [row for f in sorted((root / source).iterdir()) for row in read_file(f)[1]]
        assert rows, source
        if source in ("wmo", "inkomen", "voorliggend"):
            normalised = {re.sub(r"[\s-]+", " ", row["wijk"]).casefold() for row in rows}
            assert {re.sub(r"[\s-]+", " ", n) for n in wijk_names} <= normalised, source


def test_memory_stays_bounded_while_streaming(tmp_path, monkeypatch):
    """The generator writes month by month, a chunk of rows at a time, and keeps only records
    that can still change: its peak memory is a small fraction of what holding all rows would
    take (at least ~50 bytes per field as Python strings). Small chunks, so that a small
    scale shows it."""
    monkeypatch.setattr("sdmonitor.generate.CHUNK_ROWS", 500)
    tracemalloc.start()
    try:
        summary = generate(tmp_path, scale=0.2, seed=3, progress=lambda _: None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    fields = sum(n * len(CONTRACT[source].columns) for source, n in summary["rows"].items())
    assert fields > 500_000
    assert peak < fields * 50 / 10, (peak, fields)
