"""`sdmonitor doctor`: checks an installation and a warehouse and says in plain words what is wrong.

Each case is a copy of the session's demo build with one thing broken, the way it happens in
practice (a source that stopped exporting, a failed check, a damaged copy, a build running now).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from sdmonitor.config import load_config
from sdmonitor.contract import SOURCES_ORDER
from sdmonitor.doctor import check_installation, doctor

ROOT = Path(__file__).resolve().parent.parent


def _run(warehouse: Path) -> tuple[int, str]:
    lines: list[str] = []
    code = doctor(warehouse, out=lines.append)
    return code, "\n".join(lines)


@pytest.fixture()
def copy(demo_warehouse, tmp_path) -> Path:
    target = tmp_path / "monitor.duckdb"
    shutil.copy(demo_warehouse, target)
    return target


def _sql(warehouse: Path, sql: str, params=None) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(sql, params or [])


def test_installation_is_complete():
    findings = check_installation(load_config())
    assert all(f.ok for f in findings), [f.text for f in findings if not f.ok]


def test_demo_build_is_in_order(demo_warehouse):
    code, text = _run(demo_warehouse)
    assert code == 0, text
    assert text.endswith("Alles in orde.")
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        build_id = con.execute("select build_id from build_info").fetchone()[0]
        latest = dict(con.execute(
            "select bron, max(exportdatum) from load_log where build_id = ? group by bron", [build_id]
        ).fetchall())
    assert f"Laatste build {build_id}" in text
    for bron in SOURCES_ORDER:
        assert f"[ok] bron {bron}: laatste export {latest[bron]:%d-%m-%Y}" in text
    assert "[ok] Validatie: alle controles geslaagd" in text
    assert "leesbaar" in text and "PROBLEEM" not in text


def test_missing_warehouse(tmp_path):
    code, text = _run(tmp_path / "monitor.duckdb")
    assert code == 1
    assert "bestaat niet: draai `sdmonitor build`" in text


@pytest.mark.parametrize("kind", ["truncated", "damaged_block", "foreign"])
def test_damaged_warehouse(copy, kind):
    size = copy.stat().st_size
    if kind == "foreign":
        copy.write_text("geen database\n")
    else:
        with open(copy, "r+b") as fh:
            if kind == "truncated":
                fh.truncate(size // 2)
            else:
                fh.seek(size // 2)
                fh.write(os.urandom(64 * 1024))
    code, text = _run(copy)
    assert code == 1, text
    assert "draai `sdmonitor build` opnieuw" in text
    assert ("beschadigd" in text) or ("niet leesbaar" in text), text


def test_source_without_exports(copy):
    _sql(copy, "delete from load_log where bron = 'regie'")
    code, text = _run(copy)
    assert code == 1
    assert "[PROBLEEM] bron regie: geen exports in de laatste build (die indicatoren ontbreken)" in text


def test_source_that_stopped_exporting(copy):
    with duckdb.connect(str(copy)) as con:
        newest = con.execute("select max(exportdatum) from load_log").fetchone()[0]
        con.execute("update load_log set exportdatum = exportdatum - interval 120 day where bron = 'capaciteit'")
        old = con.execute("select max(exportdatum) from load_log where bron = 'capaciteit'").fetchone()[0]
    code, text = _run(copy)
    assert code == 1
    days = (newest - old).days if not isinstance(old, timedelta) else old.days
    assert f"[PROBLEEM] bron capaciteit: laatste export {old:%d-%m-%Y}, {days} dagen ouder" in text


def test_failed_validation(copy):
    _sql(copy, "update validatie set geslaagd = false, ernst = 'fout' "
               "where rowid in (select rowid from validatie limit 2)")
    code, text = _run(copy)
    assert code == 1
    assert "[PROBLEEM] Validatie: 2 controles mislukt" in text


def test_built_with_another_duckdb(copy):
    _sql(copy, "update build_info set duckdb_versie = '1.4.0'")
    code, text = _run(copy)
    assert code == 1
    assert f"Gebouwd met DuckDB 1.4.0, geïnstalleerd is {duckdb.__version__}" in text


def test_a_build_running_now_and_leftovers_of_a_killed_one(copy):
    leftover = copy.with_name(f".{copy.name}.12345.tmp")
    leftover.write_bytes(b"half")
    code, text = _run(copy)
    assert code == 0, text  # not a problem: the next build removes it
    assert f"Restanten van een afgebroken build ({leftover.name})" in text
    with open(copy.parent / f".{copy.name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code, text = _run(copy)
    assert code == 0, text
    assert "Er draait nu een build voor dit warehouse" in text


def test_command_line_exit_code_and_plain_words(tmp_path):
    missing = tmp_path / "nergens.duckdb"
    done = subprocess.run([sys.executable, "-m", "sdmonitor.cli", "doctor", "--warehouse", str(missing)], check=False,
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "GX_ANALYTICS_ENABLED": "False"})
    assert done.returncode == 1
    assert "bestaat niet" in done.stdout and "1 probleem gevonden." in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
