"""Run bench/baseline.sql: the hand-written DuckDB script that computes fct_indicator straight
from the export files, the speed limit the build is measured against.

    python -m bench.baseline --exports DIR --out FILE.duckdb [--config config/gemeente.toml]

Prints one JSON line: {"seconds": ..., "rows": ...}. The runner starts it as a subprocess, so its
peak memory is measured the same way as the build's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

BASELINE_SQL = Path(__file__).resolve().parent / "baseline.sql"


def variables(exports: Path, config) -> dict[str, object]:
    """The script's DuckDB variables, from the gemeente's configuration."""
    t = config.termijnen
    return {
        "exports": str(Path(exports).resolve()),
        "wijken": str(Path(config.wijken_csv).resolve()),
        "gemeente_code": config.gemeente_code,
        "basisperiode": config.basisperiode,
        "min_noemer": config.min_noemer,
        "min_telling": config.min_telling,
        "follow_up_dagen": config.follow_up_dagen,
        "doorverwijzing_dagen": config.doorverwijzing_dagen,
        "term_wmo_melding_gesprek": t["wmo_melding_gesprek"],
        "term_wmo_aanvraag_besluit": t["wmo_aanvraag_besluit"],
        "term_jeugd_melding_besluit": t["jeugd_melding_besluit"],
        "term_inkomen_aanvraag_besluit": t["inkomen_aanvraag_besluit"],
        "term_schuldhulp": t["schuldhulp_aanmelding_eerste_gesprek"],
        "term_schuldhulp_spoed_werkdagen": t["schuldhulp_spoed_werkdagen"],
    }


def transcode_inkomen(exports: Path, target: Path) -> Path | None:
    """Windows-1252 inkomen exports as UTF-8 files (same names) in `target`; None if none exist.

    Bulk: one decode/encode per file. DuckDB's latin-1 reader refuses bytes 0x80-0x9F, which
    cp1252 uses for the euro sign and curly quotes in free text.
    """
    files = sorted((Path(exports) / "inkomen").glob("inkomen_*.csv"))
    if not files:
        return None
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for f in files:
        (target / f.name).write_bytes(f.read_bytes().decode("cp1252", errors="replace").encode("utf-8"))
    return target


def sources_without_files(exports: Path) -> list[str]:
    from sdmonitor.contract import SOURCES_ORDER

    return [bron for bron in SOURCES_ORDER if not any((Path(exports) / bron).glob(f"{bron}_*.csv"))]


def write_stubs(sources: list[str], target: Path) -> Path:
    """Header-only files for sources without exports, so the script reads them as empty tables."""
    from sdmonitor.contract import CONTRACT

    target.mkdir(parents=True, exist_ok=True)
    for bron in sources:
        (target / f"{bron}.csv").write_text(";".join(CONTRACT[bron].column_names) + "\n", encoding="utf-8")
    return target


def run_baseline(exports: Path, out_db: Path, config=None) -> dict:
    """Compute fct_indicator into `out_db` (replaced); return seconds and row count."""
    import duckdb

    from sdmonitor.config import load_config

    config = config or load_config()
    out_db = Path(out_db)
    out_db.parent.mkdir(parents=True, exist_ok=True)
    out_db.unlink(missing_ok=True)
    Path(str(out_db) + ".wal").unlink(missing_ok=True)
    sql = BASELINE_SQL.read_text(encoding="utf-8")
    started = time.perf_counter()
    inkomen_dir = transcode_inkomen(exports, out_db.with_name(out_db.name + ".inkomen-utf8"))
    without = sources_without_files(exports)
    with duckdb.connect(str(out_db)) as con:
        values = variables(exports, config)
        if inkomen_dir is not None:
            values["inkomen_dir"] = str(inkomen_dir)
        values["zonder_bestanden"] = without
        if without:
            values["stub_dir"] = str(write_stubs(without, out_db.with_name(out_db.name + ".stubs")))
        for name, value in values.items():
            con.execute(f"set variable {name} = ?", [value])
        con.execute(sql)
        rows = con.execute("select count(*) from fct_indicator").fetchone()[0]
        con.execute("checkpoint")
    return {"seconds": round(time.perf_counter() - started, 3), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__.splitlines()[0])
    p.add_argument("--exports", required=True)
    p.add_argument("--out", required=True, help="DuckDB file to write fct_indicator into")
    p.add_argument("--config", default=None)
    args = p.parse_args(argv)
    from sdmonitor.config import load_config

    result = run_baseline(Path(args.exports), Path(args.out), load_config(args.config))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
