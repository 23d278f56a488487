"""Dutch (nl-NL) formatting and labels for codes, shared by the dashboard and the report.

Everything a reader sees as text goes through here, so "1.234", "12,5%" and "2e halfjaar 2025"
look the same on every screen and on paper.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

MAANDEN = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]

# Labels for the codes in fct_indicator.uitsplitsing. Unknown codes fall back to a readable form
# of the code itself, so a new team or domein never breaks a page.
TEAMS = {
    "wmo": "Wmo",
    "jeugd": "Jeugd",
    "inkomen": "Inkomen",
    "schuldhulp": "Schuldhulp",
    "bwmo": "Beschermd wonen",
    "voorliggend": "Voorliggend veld",
    "regie": "Regie",
}
STAPPEN = {
    "melding_gesprek": "melding → gesprek",
    "aanvraag_besluit": "aanvraag → besluit",
    "melding_besluit": "melding → besluit",
    "aanmelding_eerste_gesprek": "aanmelding → eerste gesprek",
    "indicatie_plaatsing": "indicatie → plaatsing",
}
ONDERZOEKEN = {
    "ceo_wmo": "CEO Wmo",
    "ceo_jeugd": "CEO Jeugd",
    "bewonersonderzoek": "Bewonersonderzoek",
}
# Labels for the contract's codes where the code itself does not read well.
KANALEN = {"mail": "e-mail", "digitaal": "digitaal (website/app)", "inloop": "inloop (balie)"}
DOMEINEN = {
    "zorg_gezondheid": "zorg en gezondheid",
    "financien": "financiën",
    "werk_dagbesteding": "werk en dagbesteding",
    "sociaal_netwerk": "sociaal netwerk",
}
NIVEAUS = {"zorg_veiligheidshuis": "Zorg- en Veiligheidshuis", "doorbraakteam": "doorbraakteam"}
RESULTATEN = {"plan_akkoord": "plan akkoord", "geen_doorbraak": "geen doorbraak"}
SLEUTELS = {
    "team": "team", "stap": "stap", "onderzoek": "onderzoek", "kanaal": "kanaal",
    "domein": "domein", "niveau": "niveau", "resultaat": "resultaat", "van": "van", "naar": "naar",
}
_CODELABELS = {"team": TEAMS, "van": TEAMS, "naar": TEAMS, "stap": STAPPEN,
               "onderzoek": ONDERZOEKEN, "kanaal": KANALEN, "domein": DOMEINEN,
               "niveau": NIVEAUS, "resultaat": RESULTATEN}

FAMILIES = {
    "vindbaarheid": "Vindbaarheid",
    "voorliggend_veld": "Voorliggend veld",
    "wachtlijsten": "Wachtlijsten en doorlooptijden",
    "overgang_18": "18-/18+",
    "capaciteit": "Capaciteit",
    "vraagpatroon": "Vraagpatroon",
    "integraliteit": "Integraliteit",
}

ONDERDRUKT = "onderdrukt"
GEEN_WAARDE = "–"


def _missing(x) -> bool:
    """None, NaN, pandas NA/NaT: the forms an empty cell takes after a DataFrame round trip."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def getal(x, decimalen: int = 0) -> str:
    """1234.5 -> '1.234,5' (with decimalen=1); None/NaN -> '–'."""
    if _missing(x):
        return GEEN_WAARDE
    s = f"{float(x):,.{decimalen}f}"
    # Python formats en-US; swap the separators via a placeholder.
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def procent(x, decimalen: int = 1) -> str:
    """12.5 (already 0-100) -> '12,5%'."""
    return GEEN_WAARDE if _missing(x) else f"{getal(x, decimalen)}%"


def procentpunt(x, decimalen: int = 1, teken: bool = True) -> str:
    """2.34 -> '+2,3 procentpunt'."""
    if _missing(x):
        return GEEN_WAARDE
    plus = "+" if teken and x > 0 else ""
    return f"{plus}{getal(x, decimalen)} procentpunt"


def waarde(x, eenheid: str | None) -> str:
    """Format a figure by the unit in dim_indicator.eenheid."""
    e = (eenheid or "").lower()
    if _missing(x):
        return GEEN_WAARDE
    if e.startswith("procentpunt") or e == "pp":
        return procentpunt(x)
    if e.startswith("procent") or e == "%":
        return procent(x)
    if e.startswith("dag"):
        return f"{getal(x, 0)} dagen" if round(x) != 1 else "1 dag"
    if e.startswith("aantal") and e.strip() == "aantal":
        return getal(x, 0)
    if "per" in e:
        return getal(x, 1)
    return getal(x, 0) if float(x).is_integer() else getal(x, 1)


def eenheid_label(eenheid: str | None) -> str:
    """An axis title for a unit code: '%' -> 'procent', 'pp' -> 'procentpunt'."""
    return {"%": "procent", "pp": "procentpunt", "per 1000": "per 1.000 inwoners"}.get(
        eenheid or "", eenheid or "")


def verschil(x, eenheid: str | None) -> str:
    """A signed difference in the indicator's unit: '+2,3 procentpunt', '-4 dagen'."""
    if _missing(x):
        return GEEN_WAARDE
    e = (eenheid or "").lower()
    if e.startswith("procent") or e in ("%", "pp"):
        return procentpunt(x)
    plus = "+" if x > 0 else ""
    return plus + waarde(x, eenheid)


def periode(code: str | None) -> str:
    """'2025-H2' -> '2e halfjaar 2025'; a yearly '2024' -> 'jaar 2024' (never passed off as H1/H2)."""
    if not code:
        return GEEN_WAARDE
    m = re.fullmatch(r"(\d{4})-H([12])", str(code))
    if m:
        return f"{m.group(2)}e halfjaar {m.group(1)}"
    if re.fullmatch(r"\d{4}", str(code)):
        return f"jaar {code}"
    return str(code)


def vorige_periode(code: str) -> str:
    """'2025-H1' -> '2024-H2'."""
    jaar, half = int(code[:4]), int(code[-1])
    return f"{jaar - 1}-H2" if half == 1 else f"{jaar}-H1"


def datum(d) -> str:
    """A date (or ISO string, or timestamp) -> '1 juli 2025'."""
    if _missing(d):
        return GEEN_WAARDE
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    if hasattr(d, "to_pydatetime"):
        d = d.to_pydatetime()
    return f"{d.day} {MAANDEN[d.month - 1]} {d.year}"


def code_label(sleutel: str, code: str) -> str:
    """The label of one code in a breakdown, e.g. ('team', 'bwmo') -> 'Beschermd wonen'."""
    labels = _CODELABELS.get(sleutel, {})
    if code in labels:
        return labels[code]
    if sleutel == "niveau":
        return f"niveau {code}"
    return code.replace("_", " ")


def parse_uitsplitsing(uitsplitsing: str | None) -> dict[str, str]:
    """'stap=melding_gesprek;team=wmo' -> {'stap': 'melding_gesprek', 'team': 'wmo'}."""
    if not uitsplitsing:
        return {}
    return dict(part.split("=", 1) for part in uitsplitsing.split(";") if "=" in part)


def uitsplitsing_label(uitsplitsing: str | None) -> str:
    """A readable label: 'Wmo: melding → gesprek', 'van Wmo naar Jeugd', 'CEO Wmo', 'totaal'."""
    d = parse_uitsplitsing(uitsplitsing)
    if not d:
        return "totaal"
    if "team" in d and "stap" in d:
        return f"{code_label('team', d['team'])}: {code_label('stap', d['stap'])}"
    if "van" in d and "naar" in d:
        return f"van {code_label('van', d['van'])} naar {code_label('naar', d['naar'])}"
    if "niveau" in d and "resultaat" in d:
        return f"{code_label('niveau', d['niveau'])}, {code_label('resultaat', d['resultaat'])}"
    return ", ".join(code_label(k, v) for k, v in sorted(d.items()))


def familie_label(code: str | None) -> str:
    return FAMILIES.get(code or "", (code or "").replace("_", " ").capitalize())


def inwoners(aantal, geschat: bool | None) -> str:
    """'ca. 9.815 (schatting)' for estimates, so an estimate never reads as a count."""
    if _missing(aantal):
        return GEEN_WAARDE
    return f"ca. {getal(aantal)} (schatting)" if geschat else getal(aantal)
