"""Great Expectations suites on the landed sources (raw.<bron>), one per source.

Built from the data contract (sdmonitor/contract.py), so a suite never drifts from what landing
reads. Landing already guarantees the contract's rules; these checks are a second line of defence
(ernst 'fout': a failure stops the build). Date order is not a contract rule (a team may record a
gesprek before the melding date it later corrects), so it is a warning with the count of rows.
"""

from __future__ import annotations

from datetime import date, datetime

import great_expectations as gx
import great_expectations.expectations as gxe

from sdmonitor.contract import CODE, DATE, EARLIEST_DATE, PERIOD, WIJK_CODE, WIJK_NAME, Source
from sdmonitor.rawschema import landed_name, raw_columns

FOUT = "fout"
WAARSCHUWING = "waarschuwing"

# Dates that follow each other in a case's life: (earlier, later) per source.
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "wmo": (
        ("datum_melding", "datum_gesprek"),
        ("datum_gesprek", "datum_aanvraag"),
        ("datum_aanvraag", "datum_besluit"),
        ("datum_start_ondersteuning", "datum_einde_ondersteuning"),
    ),
    "jeugd": (("datum_melding", "datum_besluit"), ("datum_start_hulp", "datum_einde_hulp")),
    "bwmo": (
        ("datum_aanmelding", "datum_indicatie"),
        ("datum_indicatie", "datum_plaatsing"),
        ("datum_plaatsing", "datum_uitstroom"),
    ),
    "inkomen": (("datum_aanvraag", "datum_besluit"),),
    "schuldhulp": (
        ("datum_aanmelding", "datum_eerste_gesprek"),
        ("datum_eerste_gesprek", "datum_plan_van_aanpak"),
        ("datum_aanmelding", "datum_einde"),
    ),
    "regie": (("datum_opschaling", "datum_afschaling"),),
}

# Weights of zero silently drop a respondent from weighted figures: legal, but worth a warning.
POSITIVE = {"enquete": ("weging",)}


def _meta(ernst: str, omschrijving: str) -> dict:
    return {"ernst": ernst, "omschrijving": omschrijving}


def _as_datetime(iso: str) -> datetime:
    """GX compares pandas timestamps, which refuse plain dates."""
    return datetime.combine(date.fromisoformat(iso), datetime.min.time())


def source_suite(source: Source, wijk_codes: list[str]) -> gx.ExpectationSuite:
    """The suite for raw.<source>; `wijk_codes` are the reference list's codes."""
    suite = gx.ExpectationSuite(name=source.code)
    for name, _ in raw_columns(source):
        suite.add_expectation(
            gxe.ExpectColumnToExist(column=name, meta=_meta(FOUT, "kolom aanwezig"))
        )
    suite.add_expectation(_key_unique(source))
    for column in source.landed_columns:
        for expectation in _column_expectations(source, column, wijk_codes):
            suite.add_expectation(expectation)
    for earlier, later in DATE_ORDER.get(source.code, ()):
        suite.add_expectation(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=later,
                column_B=earlier,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=_meta(WAARSCHUWING, f"{later} niet voor {earlier}"),
            )
        )
    for name in POSITIVE.get(source.code, ()):
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeBetween(
                column=name, min_value=0, strict_min=True, meta=_meta(WAARSCHUWING, "groter dan 0")
            )
        )
    return suite


def _key_unique(source: Source):
    key = [landed_name(k, source.column(k).kind) for k in source.key]
    meta = _meta(FOUT, "sleutel uniek na 'laatste export wint'")
    if len(key) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=key[0], meta=meta)
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=key, meta=meta)


def _column_expectations(source: Source, column, wijk_codes: list[str]) -> list:
    name = landed_name(column.name, column.kind)
    expectations = []
    if column.required:
        expectations.append(
            gxe.ExpectColumnValuesToNotBeNull(column=name, meta=_meta(FOUT, "verplicht"))
        )
    if column.kind == CODE:
        expectations.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=name,
                value_set=list(column.codes),
                meta=_meta(FOUT, "waarden uit de codelijst"),
            )
        )
    elif column.kind in (WIJK_NAME, WIJK_CODE):
        expectations.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=name,
                value_set=[*wijk_codes, "onbekend"],
                meta=_meta(FOUT, "CBS-wijkcode uit de referentielijst of 'onbekend'"),
            )
        )
    elif column.kind == DATE:
        expectations += [
            gxe.ExpectColumnValuesToBeBetween(
                column=name,
                min_value=_as_datetime(EARLIEST_DATE),
                meta=_meta(FOUT, f"niet voor {EARLIEST_DATE}"),
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="_exportdatum",
                column_B=name,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=_meta(FOUT, "niet na de exportdatum"),
            ),
        ]
    elif column.kind == PERIOD:
        expectations.append(
            gxe.ExpectColumnValuesToMatchRegex(
                column=name, regex=r"^\d{4}-H[12]$", meta=_meta(FOUT, "periode jjjj-H1 of jjjj-H2")
            )
        )
    if column.non_negative:
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=name, min_value=0, meta=_meta(FOUT, "niet negatief")
            )
        )
    return expectations
