"""nl-NL formatting: what a Dutch reader expects to see."""

import datetime as dt
import math

import pytest

from sdmonitor import nl


@pytest.mark.parametrize(("x", "dec", "tekst"), [
    (1234, 0, "1.234"), (1234567.891, 2, "1.234.567,89"), (0, 0, "0"), (-1234.5, 1, "-1.234,5"),
    (12.5, 1, "12,5"),
])
def test_getal_uses_dot_for_thousands_and_comma_for_decimals(x, dec, tekst):
    assert nl.getal(x, dec) == tekst


def test_procent_has_comma_and_no_space():
    assert nl.procent(12.5) == "12,5%"
    assert nl.procent(100) == "100,0%"


@pytest.mark.parametrize("leeg", [None, float("nan"), math.nan])
def test_missing_values_render_as_dash_never_as_zero(leeg):
    assert nl.getal(leeg) == nl.GEEN_WAARDE
    assert nl.procent(leeg) == nl.GEEN_WAARDE
    assert nl.waarde(leeg, "%") == nl.GEEN_WAARDE


def test_periode_labels_half_years_and_years_differently():
    assert nl.periode("2025-H2") == "2e halfjaar 2025"
    assert nl.periode("2024-H1") == "1e halfjaar 2024"
    # A yearly benchmark is never passed off as a half-year.
    assert nl.periode("2024") == "jaar 2024"


def test_vorige_periode_crosses_the_year():
    assert nl.vorige_periode("2025-H1") == "2024-H2"
    assert nl.vorige_periode("2025-H2") == "2025-H1"


def test_datum_in_words():
    assert nl.datum(dt.date(2025, 7, 1)) == "1 juli 2025"
    assert nl.datum("2025-12-31") == "31 december 2025"


@pytest.mark.parametrize(("x", "eenheid", "tekst"), [
    (12.54, "%", "12,5%"), (2.34, "pp", "+2,3 procentpunt"), (42, "dagen", "42 dagen"),
    (1234, "aantal", "1.234"), (65.04, "per 1000", "65,0"), (1, "dagen", "1 dag"),
])
def test_waarde_by_unit(x, eenheid, tekst):
    assert nl.waarde(x, eenheid) == tekst


def test_verschil_of_percentages_is_in_procentpunt():
    assert nl.verschil(-2.345, "%") == "-2,3 procentpunt"
    assert nl.verschil(3, "dagen") == "+3 dagen"


def test_uitsplitsing_labels():
    assert nl.uitsplitsing_label("stap=melding_gesprek;team=wmo") == "Wmo: melding → gesprek"
    assert nl.uitsplitsing_label("naar=jeugd;van=wmo") == "van Wmo naar Jeugd"
    assert nl.uitsplitsing_label("onderzoek=ceo_wmo") == "CEO Wmo"
    assert nl.uitsplitsing_label("") == "totaal"
    # Unknown codes stay readable instead of failing.
    assert nl.uitsplitsing_label("domein=nieuw_domein") == "nieuw domein"


def test_estimated_inhabitants_are_labelled_as_estimate():
    assert nl.inwoners(9815, True) == "ca. 9.815 (schatting)"
    assert nl.inwoners(103415, False) == "103.415"


def test_unit_codes_become_readable_axis_titles():
    assert nl.eenheid_label("%") == "procent"
    assert nl.eenheid_label("pp") == "procentpunt"
    assert nl.eenheid_label("dagen") == "dagen"
