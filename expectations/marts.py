"""Great Expectations suite on the marts (fct_indicator), run on every build after dbt.

Checks what a reader of the monitor relies on: percentages are percentages, durations are not
negative, the privacy suppression rule holds, and no period or wijk silently disappears.
All checks are 'fout': a published figure that breaks one must not reach the dashboard.
"""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from sdmonitor.config import Config

FOUT = "fout"

# Indicators that are counts of people, households or cases: a small count identifies people.
COUNT_INDICATORS = (
    "wachtend",
    "wachtend_langer_dan_termijn",
    "cohort_18",
    "hulpvragen",
    "huishoudens_multi_team",
    "opschalingen",
    "doorverwijzingen",
)
DURATION_PREFIXES = ("doorlooptijd_", "doorverwijzing_dagen_")
# Capaciteit is about staff, not residents: its ratios are never suppressed by their noemer.
CAPACITEIT_INDICATORS = ("bezettingsgraad", "verzuim_pct", "wachtend_per_fte")
# GX row conditions, not Python comparisons: `is True` would not build a condition.
SUPPRESSED = Column("onderdrukt") == True
NOT_SUPPRESSED = Column("onderdrukt") == False


def _meta(omschrijving: str) -> dict:
    return {"ernst": FOUT, "omschrijving": omschrijving}


def _indicators_starting_with(indicators: list[str], prefixes: tuple[str, ...]):
    """GX conditions have no 'starts with': name the indicator codes present instead."""
    return Column("indicator").is_in([i for i in indicators if i.startswith(prefixes)])


def marts_suite(
    config: Config, periodes: list[str], wijk_codes: list[str], indicators: list[str]
) -> gx.ExpectationSuite:
    """The suite for fct_indicator; `periodes` from dim_periode, `wijk_codes` from the reference,
    `indicators` the indicator codes in fct_indicator."""
    suite = gx.ExpectationSuite(name="marts")
    small_counts = list(range(1, config.min_telling))
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column="waarde",
            min_value=0,
            max_value=100,
            row_condition=_indicators_starting_with(indicators, ("pct_",)),
            meta=_meta("percentages tussen 0 en 100"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="waarde",
            min_value=0,
            row_condition=_indicators_starting_with(indicators, DURATION_PREFIXES),
            meta=_meta("doorlooptijden niet negatief"),
        ),
        *(
            gxe.ExpectColumnValuesToBeNull(
                column=column,
                row_condition=SUPPRESSED,
                meta=_meta("onderdrukte cel heeft geen waarde, teller of noemer"),
            )
            for column in ("waarde", "teller", "noemer")
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="noemer",
            min_value=config.min_noemer,
            row_condition=NOT_SUPPRESSED
            & Column("indicator").is_in([i for i in indicators if i not in CAPACITEIT_INDICATORS]),
            meta=_meta(
                f"niet-onderdrukte verhouding heeft noemer van minstens {config.min_noemer}"
            ),
        ),
        gxe.ExpectColumnValuesToNotBeInSet(
            column="waarde",
            value_set=small_counts,
            row_condition=Column("indicator").is_in(COUNT_INDICATORS) & NOT_SUPPRESSED,
            meta=_meta(f"niet-onderdrukte telling is 0 of minstens {config.min_telling}"),
        ),
        gxe.ExpectColumnDistinctValuesToContainSet(
            column="periode",
            value_set=periodes,
            meta=_meta("elke periode van dim_periode aanwezig"),
        ),
        gxe.ExpectColumnDistinctValuesToContainSet(
            column="gebied_code",
            value_set=wijk_codes,
            meta=_meta("elke wijk van de referentielijst aanwezig"),
        ),
    ]
    for expectation in expectations:
        suite.add_expectation(expectation)
    return suite
