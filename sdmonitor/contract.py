"""The data contract of the team exports, as data.

One place describes every source: its columns, their types and code sets, its key, its date
format, its encoding and how it writes the wijk. The landing step reads exports with it, the
validation suites check against it, and the demo generator writes exports that follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds. Every kind has one parser in the landing step.
TEXT = "text"  # free identifier text (ids, pseudonyms)
CODE = "code"  # one value of a fixed code set
DATE = "date"  # the source's date format, empty = not (yet) happened
MONTH = "month"  # jjjj-mm
PERIOD = "period"  # jjjj-H1 / jjjj-H2
INTEGER = "integer"
DECIMAL = "decimal"  # comma decimal, e.g. 0,8
BOOLEAN = "boolean"  # ja / nee in any case, empty = unknown
WIJK_NAME = "wijk_name"  # wijk name as typed, or capitals
WIJK_CODE = "wijk_code"  # CBS wijk code
FREE_TEXT = "free_text"  # opmerking: dropped on read, never leaves landing

SOURCES_ORDER = (
    "wmo",
    "jeugd",
    "bwmo",
    "inkomen",
    "schuldhulp",
    "voorliggend",
    "enquete",
    "regie",
    "capaciteit",
)

SOURCE_CODES = SOURCES_ORDER

HULPVRAAG_DOMEINEN = (
    "wonen",
    "zorg_gezondheid",
    "financien",
    "werk_dagbesteding",
    "sociaal_netwerk",
    "opvoeden",
    "veiligheid",
    "overig",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    codes: tuple[str, ...] = ()
    required: bool = False  # an empty value quarantines the row
    non_negative: bool = False  # a negative value quarantines the row


@dataclass(frozen=True)
class Source:
    code: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    date_format: str = "%d-%m-%Y"
    encoding: str = "utf-8-sig"
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def landed_columns(self) -> tuple[Column, ...]:
        """The columns that reach the warehouse: free text is dropped on read."""
        return tuple(c for c in self.columns if c.kind != FREE_TEXT)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _col(name: str, kind: str, codes: tuple[str, ...] = (), **kw) -> Column:
    return Column(name, kind, codes, **kw)


CONTRACT: dict[str, Source] = {
    "wmo": Source(
        code="wmo",
        description="Team Toegang Sociaal Domein, Wmo: one row per melding",
        key=("meldingnummer",),
        columns=(
            _col("meldingnummer", TEXT, required=True),
            _col("client_pseudo", TEXT),
            _col("huishouden_pseudo", TEXT),
            _col("geboortejaar", INTEGER),
            _col("wijk", WIJK_NAME),
            _col(
                "kanaal",
                CODE,
                ("telefoon", "mail", "inloop", "post", "digitaal", "huisarts", "ketenpartner", "overig"),
            ),
            _col("datum_melding", DATE, required=True),
            _col("datum_gesprek", DATE),
            _col("datum_aanvraag", DATE),
            _col("datum_besluit", DATE),
            _col("besluit", CODE, ("toegekend", "afgewezen", "ingetrokken")),
            _col(
                "uitkomst",
                CODE,
                (
                    "eigen_kracht",
                    "sociaal_netwerk",
                    "algemene_voorziening",
                    "maatwerkvoorziening",
                    "doorverwezen",
                    "geen",
                ),
            ),
            _col(
                "voorziening",
                CODE,
                (
                    "huishoudelijke_hulp",
                    "begeleiding",
                    "dagbesteding",
                    "hulpmiddel",
                    "woningaanpassing",
                    "vervoer",
                    "kortdurend_verblijf",
                ),
            ),
            _col("datum_start_ondersteuning", DATE),
            _col("datum_einde_ondersteuning", DATE),
            _col("hulpvraag_domein", CODE, HULPVRAAG_DOMEINEN),
            _col("doorverwezen_naar", CODE, SOURCE_CODES),
            _col("opmerking", FREE_TEXT),
        ),
    ),
    "jeugd": Source(
        code="jeugd",
        description="Team Toegang Jeugd: one row per jeugdhulp dossier",
        key=("dossiernummer",),
        date_format="%Y-%m-%d",
        columns=(
            _col("dossiernummer", TEXT, required=True),
            _col("client_pseudo", TEXT),
            _col("huishouden_pseudo", TEXT),
            _col("geboortemaand", MONTH),
            _col("wijkcode", WIJK_CODE),
            _col(
                "verwijzer",
                CODE,
                (
                    "gemeente",
                    "huisarts",
                    "medisch_specialist",
                    "jeugdarts",
                    "gecertificeerde_instelling",
                    "rechter",
                    "overig",
                ),
            ),
            _col("datum_melding", DATE, required=True),
            _col("datum_besluit", DATE),
            _col(
                "uitkomst",
                CODE,
                (
                    "voorliggend_veld",
                    "lokaal_team",
                    "jeugdhulp_ambulant",
                    "jeugdhulp_verblijf",
                    "jeugdbescherming",
                    "jeugdreclassering",
                    "geen",
                ),
            ),
            _col("datum_start_hulp", DATE),
            _col("datum_einde_hulp", DATE),
            _col(
                "reden_einde",
                CODE,
                ("doel_bereikt", "achttien_jaar", "verhuisd", "voortijdig", "overig"),
            ),
            _col("verlengde_jeugdhulp", BOOLEAN),
            _col("datum_toekomstplan", DATE),
            _col(
                "vervolg_na_18",
                CODE,
                ("wmo", "wlz", "zvw_ggz", "participatiewet", "geen_nodig", "onbekend"),
            ),
            _col("opmerking", FREE_TEXT),
        ),
    ),
    "bwmo": Source(
        code="bwmo",
        description="Beschermd Wonen / Maatschappelijke Opvang (regional): one row per aanmelding",
        key=("aanmeldnummer",),
        columns=(
            _col("aanmeldnummer", TEXT, required=True),
            _col("client_pseudo", TEXT),
            _col("herkomstgemeente", TEXT),
            _col(
                "voorziening",
                CODE,
                ("beschermd_wonen", "beschermd_thuis", "maatschappelijke_opvang"),
            ),
            _col("datum_aanmelding", DATE, required=True),
            _col("datum_indicatie", DATE),
            _col("datum_plaatsing", DATE),
            _col("datum_uitstroom", DATE),
            _col(
                "status",
                CODE,
                ("aangemeld", "wachtlijst", "geplaatst", "uitgestroomd", "ingetrokken"),
            ),
        ),
    ),
    "inkomen": Source(
        code="inkomen",
        description="Team Inkomensondersteuning: one row per aanvraag",
        key=("aanvraagnummer",),
        encoding="cp1252",
        columns=(
            _col("aanvraagnummer", TEXT, required=True),
            _col("client_pseudo", TEXT),
            _col("huishouden_pseudo", TEXT),
            _col("wijk", WIJK_NAME),
            _col(
                "regeling",
                CODE,
                ("bijstand", "bijzondere_bijstand", "individuele_inkomenstoeslag", "minimaregeling", "bbz"),
            ),
            _col("datum_aanvraag", DATE, required=True),
            _col("datum_besluit", DATE),
            _col("besluit", CODE, ("toegekend", "afgewezen", "buiten_behandeling", "ingetrokken")),
            _col("bedrag_per_maand", DECIMAL, non_negative=True),
            _col("opmerking", FREE_TEXT),
        ),
    ),
    "schuldhulp": Source(
        code="schuldhulp",
        description="Budget Adviesbureau (schuldhulpverlening): one row per aanmelding",
        key=("aanmeldnummer",),
        columns=(
            _col("aanmeldnummer", TEXT, required=True),
            _col("client_pseudo", TEXT),
            _col("huishouden_pseudo", TEXT),
            _col("wijk", WIJK_NAME),
            _col(
                "bron_aanmelding",
                CODE,
                ("zelf", "vroegsignalering", "geldfit", "ketenpartner", "overig"),
            ),
            _col("spoed", BOOLEAN),
            _col("datum_aanmelding", DATE, required=True),
            _col("datum_eerste_gesprek", DATE),
            _col("datum_plan_van_aanpak", DATE),
            _col("datum_einde", DATE),
            _col(
                "traject",
                CODE,
                ("informatie_advies", "budgetbeheer", "schuldregeling", "doorverwezen_geldfit"),
            ),
            _col("opmerking", FREE_TEXT),
        ),
    ),
    "voorliggend": Source(
        code="voorliggend",
        description="Voorliggend veld registrations: one row per contact",
        key=("contactnummer",),
        columns=(
            _col("contactnummer", TEXT, required=True),
            _col("huishouden_pseudo", TEXT),
            _col("wijk", WIJK_NAME),
            _col(
                "organisatie",
                CODE,
                ("voor_elkaar_team", "geldfit", "welzijn", "mantelzorgsteunpunt", "overig"),
            ),
            _col("datum_contact", DATE, required=True),
            _col("thema", CODE, HULPVRAAG_DOMEINEN),
            _col("afgehandeld", BOOLEAN),
            _col("doorverwezen_naar", CODE, ("wmo", "jeugd", "inkomen", "schuldhulp", "bwmo")),
        ),
    ),
    "enquete": Source(
        code="enquete",
        description="Survey answers: one row per respondent per question",
        key=("respondent_id", "vraag"),
        columns=(
            _col("respondent_id", TEXT, required=True),
            _col("onderzoek", CODE, ("ceo_wmo", "ceo_jeugd", "bewonersonderzoek"), required=True),
            _col("meetperiode", PERIOD, required=True),
            _col("wijkcode", WIJK_CODE),
            _col("leeftijdsklasse", CODE, ("0-17", "18-34", "35-64", "65-74", "75+")),
            _col(
                "vraag",
                CODE,
                (
                    "wist_waar",
                    "snel_geholpen",
                    "serieus_genomen",
                    "samen_oplossing",
                    "kwaliteit_goed",
                    "beter_redden",
                    "weet_waar_terecht",
                    "toegang_bereikbaar",
                ),
                required=True,
            ),
            _col("antwoord", CODE, ("1", "2", "3", "4", "5", "8", "9"), required=True),
            _col("weging", DECIMAL, non_negative=True),
        ),
    ),
    "regie": Source(
        code="regie",
        description="Opschaling to procesregie and the doorbraakteam: one row per casus",
        key=("casusnummer",),
        columns=(
            _col("casusnummer", TEXT, required=True),
            _col("huishouden_pseudo", TEXT),
            _col("ingebracht_door", CODE, SOURCE_CODES),
            _col("datum_opschaling", DATE, required=True),
            _col("datum_afschaling", DATE),
            _col(
                "niveau",
                CODE,
                ("procesregisseur", "doorbraakteam", "zorg_veiligheidshuis", "burgemeester", "mandaatcommissie"),
            ),
            _col("resultaat", CODE, ("plan_akkoord", "doorbraak", "lopend", "geen_doorbraak")),
        ),
    ),
    "capaciteit": Source(
        code="capaciteit",
        description="Team capacity: one row per team per month",
        key=("team", "maand"),
        columns=(
            _col("team", CODE, SOURCE_CODES, required=True),
            _col("maand", MONTH, required=True),
            _col("fte_formatie", DECIMAL, non_negative=True),
            _col("fte_bezet", DECIMAL, non_negative=True),
            _col("verzuim_pct", DECIMAL, non_negative=True),
        ),
    ),
}

# Export file names: <bron>/<bron>_<yyyymmdd>.csv
FILE_NAME_PATTERN = r"^(?P<bron>[a-z]+)_(?P<datum>\d{8})\.csv$"
DELIMITER = ";"
EARLIEST_DATE = "2015-01-01"  # the toegang exists since 2015; earlier dates are errors
