"""The bad-input corpus: one export per case in tests/fixtures/bad_inputs/<case>/, each with its
exact outcome: refused with which message, or which rows quarantined with which reason. Every
case that lands also proves row conservation (read = loaded + quarantined + superseded).

Cases that cannot be a file in git (a FIFO, a symlink, a 2 MiB line, 20 000 columns, a date
relative to today) are made at test time by GENERATED and checked the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from sdmonitor.config import load_config
from sdmonitor.errors import RefusedFile
from sdmonitor.land import check_row_conservation, land_exports

CORPUS = Path(__file__).resolve().parent / "fixtures" / "bad_inputs"
REGIE = "regie/regie_20250701.csv"
PATTERN = "de naam volgt niet het patroon van de exports; verwacht regie_<jjjjmmdd>.csv"


@dataclass(frozen=True)
class Refused:
    bestand: str
    probleem: str


@dataclass(frozen=True)
class Landed:
    """load_log counts of the case's one file and its quarantine rows (regel, kolom, reden)."""

    read: int
    loaded: int
    superseded: int = 0
    quarantine: tuple[tuple[int, str | None, str], ...] = ()


CASES: dict[str, Refused | Landed] = {
    # Files that cannot be read as a whole
    "refused_comma_delimited": Refused(
        REGIE, "de kopregel is gescheiden door ',' in plaats van ';'"
    ),
    "refused_tab_delimited": Refused(REGIE, "de kopregel is gescheiden door tab in plaats van ';'"),
    "refused_binary_nul_bytes": Refused(REGIE, "het is geen tekstbestand (het bevat NUL-bytes)"),
    "refused_undecodable_utf8": Refused(REGIE, "byte 0xe9 op regel 3 is geen geldig UTF-8"),
    "refused_undecodable_cp1252": Refused(
        "inkomen/inkomen_20250701.csv", "byte 0x81 op regel 2 is geen geldig Windows-1252"
    ),
    "refused_inkomen_in_utf8": Refused(
        "inkomen/inkomen_20250701.csv", "het is UTF-8, maar deze bron levert Windows-1252"
    ),
    "refused_inkomen_with_utf8_bom": Refused(
        "inkomen/inkomen_20250701.csv", "het is UTF-8 (met BOM), maar deze bron levert Windows-1252"
    ),
    "refused_missing_required_column": Refused(
        REGIE, "verplichte kolom(men) ontbreken: datum_opschaling"
    ),
    "refused_missing_two_columns": Refused(
        REGIE, "verplichte kolom(men) ontbreken: niveau, resultaat"
    ),
    "refused_duplicate_column": Refused(REGIE, "kolom 'niveau' staat meer dan eens in de kopregel"),
    "refused_empty_file": Refused(REGIE, "het bestand is leeg: er is geen kopregel"),
    "refused_only_bom_and_blank_lines": Refused(REGIE, "het bestand is leeg: er is geen kopregel"),
    "refused_unclosed_quote": Refused(REGIE, "het aanhalingsteken op regel 3 wordt niet gesloten"),
    "refused_name_without_date": Refused("regie/regie.csv", PATTERN),
    "refused_name_of_other_source": Refused("regie/wmo_20250701.csv", PATTERN),
    "refused_name_excel_extension": Refused("regie/regie_20250701.xlsx", PATTERN),
    "refused_name_upper_case": Refused("regie/REGIE_20250701.CSV", PATTERN),
    "refused_name_impossible_date": Refused(
        "regie/regie_20251332.csv",
        "'20251332' in de naam is geen geldige exportdatum; verwacht regie_<jjjjmmdd>.csv",
    ),
    "refused_file_in_exports_root": Refused(
        "regie_20250701.csv", "staat niet in een bronmap; verwacht <bron>/<bron>_<jjjjmmdd>.csv"
    ),
    "refused_unknown_source_folder": Refused(
        "zorg/",
        "onbekende bron 'zorg'; bekend zijn: wmo, jeugd, bwmo, inkomen, schuldhulp, voorliggend, "
        "enquete, regie, capaciteit",
    ),
    # Rows that break the contract
    "invalid_date_31_february": Landed(
        2,
        1,
        quarantine=(
            (3, "datum_afschaling", "datum_afschaling '31-02-2024' is geen geldige datum"),
        ),
    ),
    "iso_date_in_dutch_date_source": Landed(
        2,
        1,
        quarantine=(
            (3, "datum_opschaling", "datum_opschaling '2025-03-02' is geen geldige datum"),
        ),
    ),
    "dutch_date_in_iso_source": Landed(
        2, 1, quarantine=((3, "datum_melding", "datum_melding '01-03-2025' is geen geldige datum"),)
    ),
    "date_before_2015": Landed(
        2,
        1,
        quarantine=((3, "datum_opschaling", "datum_opschaling '31-12-2014' ligt voor 01-01-2015"),),
    ),
    "date_after_export_date": Landed(
        2,
        1,
        quarantine=(
            (
                3,
                "datum_afschaling",
                "datum_afschaling '02-07-2025' ligt na de exportdatum 01-07-2025",
            ),
        ),
    ),
    "unknown_code": Landed(
        2, 1, quarantine=((3, "niveau", "niveau 'wethouder' is geen geldige code"),)
    ),
    "code_in_wrong_case": Landed(
        2, 1, quarantine=((3, "ingebracht_door", "ingebracht_door 'WMO' is geen geldige code"),)
    ),
    "answer_out_of_scale": Landed(
        1, 0, quarantine=((2, "antwoord", "antwoord '6' is geen geldige code"),)
    ),
    "missing_id": Landed(2, 1, quarantine=((3, "casusnummer", "casusnummer ontbreekt"),)),
    "missing_required_date": Landed(
        2, 1, quarantine=((3, "datum_opschaling", "datum_opschaling ontbreekt"),)
    ),
    "too_many_fields": Landed(2, 1, quarantine=((3, None, "regel heeft 8 velden, verwacht 7"),)),
    "too_few_fields": Landed(2, 1, quarantine=((3, None, "regel heeft 4 velden, verwacht 7"),)),
    "quote_in_wrong_place": Landed(
        3, 2, quarantine=((3, None, "regel bevat een aanhalingsteken op een ongeldige plek"),)
    ),
    "several_problems_in_one_row": Landed(
        2,
        1,
        quarantine=(
            (3, "casusnummer", "casusnummer ontbreekt"),
            (3, "datum_opschaling", "datum_opschaling '01-13-2025' is geen geldige datum"),
            (3, "ingebracht_door", "ingebracht_door 'fax' is geen geldige code"),
        ),
    ),
    "bsn_typed_in_date_column": Landed(
        2,
        1,
        quarantine=(
            (3, "datum_opschaling", "datum_opschaling (waarde niet getoond) is geen geldige datum"),
        ),
    ),
    "negative_fte": Landed(2, 1, quarantine=((3, "fte_bezet", "fte_bezet '-1,5' is negatief"),)),
    "negative_weight": Landed(2, 1, quarantine=((3, "weging", "weging '-0,5' is negatief"),)),
    "negative_amount": Landed(
        1, 0, quarantine=((2, "bedrag_per_maand", "bedrag_per_maand '-250,00' is negatief"),)
    ),
    "dot_decimal": Landed(
        2,
        1,
        quarantine=(
            (3, "fte_formatie", "fte_formatie '12.5' is geen geldig decimaal getal (zoals 0,8)"),
        ),
    ),
    "invalid_month": Landed(
        2, 1, quarantine=((3, "maand", "maand '2025-13' is geen geldige maand (jjjj-mm)"),)
    ),
    "invalid_period": Landed(
        2,
        1,
        quarantine=(
            (
                3,
                "meetperiode",
                "meetperiode '2025-H3' is geen geldige periode (jjjj-H1 of jjjj-H2)",
            ),
        ),
    ),
    "not_an_integer": Landed(
        2, 1, quarantine=((3, "geboortejaar", "geboortejaar 'negentien' is geen geheel getal"),)
    ),
    "not_ja_or_nee": Landed(
        2, 1, quarantine=((3, "afgehandeld", "afgehandeld 'misschien' is geen ja of nee"),)
    ),
    "bsn_in_id_and_pseudonym_columns": Landed(
        4,
        2,
        quarantine=(
            (3, "huishouden_pseudo", "huishouden_pseudo lijkt een BSN (9 cijfers, 11-proef): niet geladen"),
            (4, "casusnummer", "casusnummer lijkt een BSN (9 cijfers, 11-proef): niet geladen"),
        ),
    ),
    "lone_cr_inside_a_line": Landed(
        3, 2, quarantine=((3, None, "regel bevat een los CR-teken (regeleinde) buiten aanhalingstekens"),)
    ),
    "newest_version_in_quarantine": Landed(
        2,
        0,
        quarantine=(
            (
                2,
                None,
                (
                    "een nieuwere versie van dit record (regie_20250701.csv, regel 3) staat in "
                    "quarantaine; deze versie telt daarom niet mee"
                ),
            ),
            (3, "niveau", "niveau 'wethouder' is geen geldige code"),
        ),
    ),
    # Messy but legal: nothing is lost
    "cr_only_line_ends": Landed(
        3,
        1,
        quarantine=(
            (3, "ingebracht_door", "ingebracht_door 'fax' is geen geldige code"),
            (5, "niveau", "niveau 'wethouder' is geen geldige code"),
        ),
    ),
    "duplicate_id_in_one_file": Landed(2, 1, superseded=1),
    "blank_lines_between_rows": Landed(2, 2),
    "unknown_wijk_is_not_an_error": Landed(2, 2),
}


def test_corpus_has_one_case_per_folder_and_one_file_per_case():
    folders = {p.name for p in CORPUS.iterdir()}
    assert folders == set(CASES)
    assert len(CASES) >= 30
    for case in CASES:
        assert len([p for p in (CORPUS / case).rglob("*") if p.is_file()]) == 1, case


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case, tmp_path):
    _check(CORPUS / case, CASES[case], tmp_path)


# ---------------------------------------------------------------------------------------------
# Cases made at test time

HEADER = "casusnummer;huishouden_pseudo;ingebracht_door;datum_opschaling;datum_afschaling;niveau;resultaat"
ROW = "C-{};HH-1;wmo;01-03-2025;;procesregisseur;lopend"
NOT_REGULAR = "geen gewoon bestand; alleen gewone bestanden in gewone mappen worden gelezen"
TOMORROW = date.today() + timedelta(days=1)


def _regie(exports: Path, text: str, name: str = "regie_20250701.csv") -> Path:
    path = exports / "regie" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _fifo(exports: Path) -> None:
    (exports / "regie").mkdir(parents=True)
    os.mkfifo(exports / "regie" / "regie_20250701.csv")  # no writer: opening it would block


def _symlink(exports: Path) -> None:
    target = _regie(exports.parent / "elders", f"{HEADER}\n{ROW.format(1)}\n")
    (exports / "regie").mkdir(parents=True)
    (exports / "regie" / "regie_20250701.csv").symlink_to(target)


def _symlinked_folder(exports: Path) -> None:
    _regie(exports.parent / "elders", f"{HEADER}\n{ROW.format(1)}\n")
    exports.mkdir()
    (exports / "regie").symlink_to(exports.parent / "elders" / "regie", target_is_directory=True)


def _huge_line(exports: Path) -> None:
    _regie(exports, f"{HEADER}\n{ROW.format(1)}\n" + "x" * (2 << 20) + "\n")


def _wide_header(exports: Path) -> None:
    extra = [f"extra_{i}" for i in range(20_000)]
    rows = [";".join([ROW.format(i), *[""] * len(extra)]) for i in (1, 2)]
    _regie(exports, "\n".join([";".join([HEADER, *extra]), *rows]) + "\n")


def _dated(day: date) -> Callable[[Path], None]:
    return lambda exports: _regie(exports, f"{HEADER}\n{ROW.format(1)}\n", f"regie_{day:%Y%m%d}.csv")


def _future(day: date) -> Refused:
    return Refused(
        f"regie/regie_{day:%Y%m%d}.csv",
        f"de exportdatum {day:%d-%m-%Y} in de naam ligt na vandaag ({date.today():%d-%m-%Y}); "
        "een export uit de toekomst zou elke latere correctie verdringen",
    )


GENERATED: dict[str, tuple[Callable[[Path], None], Refused | Landed]] = {
    "fifo": (_fifo, Refused(REGIE, f"het is een named pipe (FIFO), {NOT_REGULAR}")),
    "symlink": (_symlink, Refused(REGIE, f"het is een symbolische koppeling (symlink), {NOT_REGULAR}")),
    "symlinked_source_folder": (
        _symlinked_folder,
        Refused(
            "regie",
            "het is een symbolische koppeling (symlink), geen gewone map; alleen gewone bestanden "
            "in gewone mappen worden gelezen",
        ),
    ),
    "line_of_2_mib": (_huge_line, Refused(REGIE, "regel 3 is langer dan 1 MiB, het maximum per regel")),
    "header_of_20000_columns": (_wide_header, Landed(2, 2)),
    "export_dated_tomorrow": (_dated(TOMORROW), _future(TOMORROW)),
    "export_dated_2052": (_dated(date(2052, 7, 1)), _future(date(2052, 7, 1))),
    "export_dated_today": (_dated(date.today()), Landed(1, 1)),
}


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_generated_bad_input(case, tmp_path):
    make, expected = GENERATED[case]
    exports = tmp_path / "exports"
    make(exports)
    _check(exports, expected, tmp_path)


def _check(exports: Path, expected: Refused | Landed, tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    if isinstance(expected, Refused):
        with pytest.raises(RefusedFile) as refused:
            land_exports(exports, con, load_config(), "test", progress=lambda _: None)
        assert str(refused.value) == f"Bestand {expected.bestand} geweigerd: {expected.probleem}"
        return
    land_exports(exports, con, load_config(), "test", progress=lambda _: None)
    check_row_conservation(con)
    quarantine = con.execute("select regel, kolom, reden from quarantine order by all").fetchall()
    assert tuple(quarantine) == expected.quarantine
    counts = con.execute(
        "select rijen_gelezen, rijen_geladen, rijen_quarantaine, rijen_vervangen from load_log"
    ).fetchall()
    quarantined_rows = len({regel for regel, _, _ in expected.quarantine})
    assert counts == [(expected.read, expected.loaded, quarantined_rows, expected.superseded)]
    assert expected.read == expected.loaded + quarantined_rows + expected.superseded
