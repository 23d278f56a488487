"""`sdmonitor benchmarks update`: refresh the national benchmarks from CBS StatLine.

The monitor ships `benchmarks.csv` (see data/reference/README.md) with the figures known when it
was made. Where the CBS open-data API is reachable, this module fetches the CBS tables behind
those rows with the `cbsodata` package, keeps Nederland (NL01), the gemeente and its wijken, and
writes the reference file again in the same format (';', decimal comma). Rows from other
publishers (the CEO peer figures) and peer gemeenten are kept as they are. When CBS cannot be
reached, nothing changes and the shipped file stays in use, with a message saying so.

`fetch` is injectable so the behaviour is tested offline against a recorded response.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sdmonitor.config import Config

Fetch = Callable[[str, str], list[dict]]

BENCHMARK_COLUMNS = ("indicator", "periode", "gebied_code", "gebied_naam", "waarde", "status", "definitie",
                     "bron", "tabel")


@dataclass(frozen=True)
class CbsTabel:
    """One CBS table behind a benchmark row: which measure column holds the figure."""

    tabel: str
    indicator: str
    maat: str  # the measure column in cbsodata.get_data's rows (check with cbsodata.get_meta)
    regio: str  # the region dimension
    definitie: str
    bron: str = "CBS StatLine"


TABELLEN: tuple[CbsTabel, ...] = (
    CbsTabel(
        tabel="86050NED",
        indicator="maatwerk_per_1000",
        maat="PersonenMetMaatwerkarrangementPer1000Inwoners_3",
        regio="RegioS",
        definitie="Personen met een Wmo-maatwerkarrangement in het {soort} per 1000 inwoners",
    ),
    CbsTabel(
        tabel="85101NED",
        indicator="pct_jeugd_met_jeugdhulp",
        maat="JongerenMetJeugdzorgInProcenten_2",
        regio="RegioS",
        definitie="Jongeren tot 23 jaar met jeugdzorg in het {soort} als percentage van alle jongeren tot 23 jaar",
        bron="CBS (Beleidsinformatie Jeugd)",
    ),
)

# CBS period titles as cbsodata returns them: "2024", "2024*" (voorlopig), "2024 1e halfjaar*"
_PERIODE = re.compile(r"^\s*(\d{4})(?:\s+(1e|2e)\s+halfjaar)?\s*(\*)?\s*$", re.IGNORECASE)


@dataclass
class BenchmarkUpdate:
    """What `update_benchmarks` did; `bericht` is the Dutch message for the user."""

    bijgewerkt: bool
    pad: Path
    rijen: int
    bericht: str
    tabellen: list[str] = field(default_factory=list)


def cbsodata_fetch(tabel: str, filters: str) -> list[dict]:
    """The real fetch: cbsodata.get_data with an OData filter on region codes."""
    import cbsodata

    return cbsodata.get_data(tabel, filters=filters)


def _regio_filter(config: Config, regio: str) -> str:
    wijk_prefix = "WK" + config.gemeente_code[2:]
    return (f"{regio} eq 'NL01' or {regio} eq '{config.gemeente_code}' "
            f"or substringof('{wijk_prefix}', {regio})")


def _periode(titel: str) -> tuple[str, str, str] | None:
    """CBS period title -> (periode, status, soort) or None when it is not a year or half-year."""
    m = _PERIODE.match(str(titel))
    if not m:
        return None
    jaar, half, ster = m.groups()
    periode = f"{jaar}-H{half[0]}" if half else jaar
    return periode, ("voorlopig" if ster else "definitief"), ("halfjaar" if half else "jaar")


def _gebieden(config: Config) -> dict[str, tuple[str, str]]:
    """Region title (lower case) -> (code, name): Nederland, the gemeente, its wijken."""
    out = {"nederland": ("NL01", "Nederland"), config.gemeente_naam.lower(): (config.gemeente_code,
                                                                               config.gemeente_naam)}
    with open(config.wijken_csv, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=_sniff(config.wijken_csv)):
            out[row["wijknaam"].strip().lower()] = (row["wijkcode"].strip(), row["wijknaam"].strip())
    return out


def _sniff(path: Path) -> str:
    first = Path(path).read_text(encoding="utf-8-sig").splitlines()[0]
    return ";" if first.count(";") > first.count(",") else ","


def _region_title(title: str) -> str:
    # CBS wijk titles may carry a prefix such as "Wijk 01 Binnenstad"
    return re.sub(r"^wijk\s+\d+\s+", "", str(title).strip(), flags=re.IGNORECASE).lower()


def rows_from_cbs(tabel: CbsTabel, data: Iterable[dict], config: Config) -> list[dict]:
    """Benchmark rows (as in benchmarks.csv, waarde a float) from cbsodata.get_data's rows."""
    gebieden = _gebieden(config)
    out = []
    for rec in data:
        gebied = gebieden.get(_region_title(rec.get(tabel.regio, "")))
        periode = _periode(rec.get("Perioden", ""))
        waarde = rec.get(tabel.maat)
        if gebied is None or periode is None or waarde is None:
            continue
        out.append({
            "indicator": tabel.indicator, "periode": periode[0], "gebied_code": gebied[0],
            "gebied_naam": gebied[1], "waarde": float(waarde), "status": periode[1],
            "definitie": tabel.definitie.format(soort=periode[2]), "bron": tabel.bron, "tabel": tabel.tabel,
        })
    return out


def _read_reference(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    for row in rows:
        row["waarde"] = float(str(row["waarde"]).replace(",", "."))
    return rows


def _write_reference(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=BENCHMARK_COLUMNS, delimiter=";", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            waarde = f"{row['waarde']:g}".replace(".", ",")
            writer.writerow({**{k: row.get(k, "") for k in BENCHMARK_COLUMNS}, "waarde": waarde})
    tmp.replace(path)


def update_benchmarks(
    config: Config,
    out: Path | None = None,
    fetch: Fetch = cbsodata_fetch,
    tabellen: tuple[CbsTabel, ...] = TABELLEN,
) -> BenchmarkUpdate:
    """Refresh the reference benchmarks from CBS where reachable; else keep the shipped file.

    `out` defaults to the config's benchmarks file. Rows of the refreshed tables replace the
    rows with the same (indicator, periode, gebied_code); every other row is kept.
    """
    out = Path(out or config.benchmarks_csv)
    shipped = _read_reference(config.benchmarks_csv)
    nieuw: list[dict] = []
    gelukt: list[str] = []
    fouten: list[str] = []
    for tabel in tabellen:
        try:
            data = fetch(tabel.tabel, _regio_filter(config, tabel.regio))
        except Exception as exc:  # noqa: BLE001 - network down or API changed: the shipped file stays
            fouten.append(f"{tabel.tabel}: {type(exc).__name__}: {exc}")
            continue
        rows = rows_from_cbs(tabel, data, config)
        if rows:
            gelukt.append(tabel.tabel)
            nieuw.extend(rows)
        else:
            fouten.append(f"{tabel.tabel}: geen bruikbare rijen (kolom {tabel.maat} ontbreekt of regio's onbekend)")

    if not nieuw:
        if out.resolve() != Path(config.benchmarks_csv).resolve():
            _write_reference(out, shipped)
        detail = "; ".join(fouten) or "geen tabellen"
        return BenchmarkUpdate(
            bijgewerkt=False, pad=out, rijen=len(shipped),
            bericht=(f"CBS StatLine is niet bereikbaar of gaf geen bruikbare cijfers ({detail}). "
                     f"De meegeleverde referentiecijfers uit {config.benchmarks_csv} blijven in gebruik "
                     f"({len(shipped)} rijen)."),
        )

    vervangen = {(r["indicator"], r["periode"], r["gebied_code"]) for r in nieuw}
    behouden = [r for r in shipped if (r["indicator"], r["periode"], r["gebied_code"]) not in vervangen]
    rows = sorted(behouden + nieuw, key=lambda r: (r["indicator"], r["periode"], r["gebied_code"]))
    _write_reference(out, rows)
    bericht = (f"Benchmarks bijgewerkt uit CBS StatLine ({', '.join(gelukt)}): {len(nieuw)} cijfers "
               f"vernieuwd, {len(behouden)} behouden; geschreven naar {out}.")
    if fouten:
        bericht += " Niet bijgewerkt: " + "; ".join(fouten) + "."
    return BenchmarkUpdate(bijgewerkt=True, pad=out, rijen=len(rows), bericht=bericht, tabellen=gelukt)
