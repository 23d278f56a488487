"""Landing's hardening against exports that are hostile or merely strange (issue 17).

Each test would fail without its protection: a FIFO or symlink is refused by name and never
opened; a CR-only file ("CSV (Macintosh)") lands with its line numbers; a line over
MAX_LINE_BYTES is refused with its line without ever being held in memory; a header of 20 000
columns costs milliseconds; an id or pseudonym that looks like a BSN is quarantined without
repeating it. The exports are real files, read by the real landing code, and where the build
as a whole is the point (a FIFO must not block it, a huge line must not cost its size in
memory) by `sdmonitor build` itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import tracemalloc
from datetime import date
from pathlib import Path

import duckdb
import pytest
from test_land import EXPORT_DATE, land, quarantine, valid_row, write_export

from sdmonitor import land as land_module
from sdmonitor.config import load_config
from sdmonitor.contract import CONTRACT, TEXT
from sdmonitor.errors import RefusedFile
from sdmonitor.land import (
    BSN_REASON,
    ExportFile,
    check_export,
    check_row_conservation,
    land_exports,
    read_export,
)

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "GX_ANALYTICS_ENABLED": "False"}
HEADER = "casusnummer;huishouden_pseudo;ingebracht_door;datum_opschaling;datum_afschaling;niveau;resultaat"
ROW = "C-{};HH-{};wmo;01-03-2025;;procesregisseur;lopend"
REGIE = f"regie/regie_{EXPORT_DATE}.csv"


@pytest.fixture
def exports(tmp_path) -> Path:
    return tmp_path / "exports"


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "build.duckdb"


def _regie(exports: Path, data: bytes) -> Path:
    path = exports / "regie" / f"regie_{EXPORT_DATE}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _export(path: Path) -> ExportFile:
    """An export as find_export_files would have listed it, whatever the path is now."""
    return ExportFile(CONTRACT["regie"], path, date(2025, 7, 1))


# ---------------------------------------------------------------------------------------------
# Only regular files


def _build(exports: Path, warehouse: Path, timeout: float = 300) -> tuple[int, str, float]:
    """`sdmonitor build` as a user runs it: exit code, output, and its peak memory in MiB.

    os.wait4 gives the peak RSS of this one process (not of every child of the test run).
    """
    log = warehouse.with_suffix(".log")
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sdmonitor.cli", "build", "--exports", str(exports),
             "--warehouse", str(warehouse)],
            stdout=out, stderr=subprocess.STDOUT, env=ENV, cwd=ROOT, start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.killpg(proc.pid, 9)
            os.wait4(proc.pid, 0)
            pytest.fail(f"sdmonitor build did not finish within {timeout} s:\n{log.read_text()}")
        time.sleep(0.1)
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: Popen must not wait
    return proc.returncode, log.read_text(), usage.ru_maxrss / 1024


def test_a_fifo_does_not_block_the_build_and_is_refused_by_name(exports, tmp_path):
    write_export(exports, "wmo", [valid_row("wmo")])
    (exports / "regie").mkdir()
    os.mkfifo(exports / "regie" / f"regie_{EXPORT_DATE}.csv")  # no writer: an open() would wait
    code, output, _ = _build(exports, tmp_path / "monitor.duckdb")
    assert code == 1
    assert (
        f"FOUT: Bestand {REGIE} geweigerd: het is een named pipe (FIFO), geen gewoon bestand"
        in output
    )
    assert "Traceback" not in output
    assert not (tmp_path / "monitor.duckdb").exists()


def _in_thread(call) -> BaseException | None:
    """Run `call` with a time limit (a blocked open must fail the test, not hang it)."""
    outcome: list[BaseException | None] = []

    def run():
        try:
            call()
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    return outcome[0] if outcome else TimeoutError("blocked")


def _release(fifo: Path) -> None:
    """Give a reader blocked on the FIFO its end of file, so no thread is left waiting."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:  # ENXIO: nobody has it open for reading, as it should be
        pass


@pytest.mark.parametrize("reader", [check_export, lambda e: list(read_export(e))])
def test_a_file_that_became_a_fifo_after_listing_is_refused_at_opening(tmp_path, reader):
    fifo = tmp_path / f"regie_{EXPORT_DATE}.csv"
    os.mkfifo(fifo)
    error = _in_thread(lambda: reader(_export(fifo)))
    _release(fifo)
    assert isinstance(error, RefusedFile), error
    assert error.probleem.startswith("het is een named pipe (FIFO), geen gewoon bestand")


@pytest.mark.parametrize("reader", [check_export, lambda e: list(read_export(e))])
def test_a_file_that_became_a_symlink_after_listing_is_not_followed(tmp_path, reader):
    target = tmp_path / "elders.csv"
    target.write_text(f"{HEADER}\n{ROW.format(1, 1)}\n", encoding="utf-8")
    link = tmp_path / f"regie_{EXPORT_DATE}.csv"
    link.symlink_to(target)
    with pytest.raises(RefusedFile, match=r"symbolische koppeling \(symlink\), geen gewoon bestand"):
        reader(_export(link))


def test_a_symlink_in_a_source_folder_is_refused_even_to_a_good_export(exports, db, tmp_path):
    good = write_export(tmp_path / "elders", "regie", [valid_row("regie")])
    (exports / "regie").mkdir(parents=True)
    (exports / "regie" / good.name).symlink_to(good)
    with pytest.raises(RefusedFile) as refused:
        land(exports, db)
    assert refused.value.bestand == f"regie/{good.name}"
    assert "symbolische koppeling" in refused.value.probleem


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_a_file_without_read_permission_is_refused_by_name(exports, db):
    path = write_export(exports, "regie", [valid_row("regie")])
    path.chmod(0)
    with pytest.raises(RefusedFile) as refused:
        land(exports, db)
    assert str(refused.value) == (
        f"Bestand {REGIE} geweigerd: het bestand mag niet worden gelezen (geen leesrechten)"
    )


# ---------------------------------------------------------------------------------------------
# CR-only line ends ("CSV (Macintosh)")


def test_a_cr_only_file_lands_every_row_with_its_line(exports, db, tmp_path):
    lines = [
        HEADER,
        ROW.format(1, 1),
        'C-2;"HH\n2";wmo;01-03-2025;;procesregisseur;lopend',  # a quoted LF, as Mac Excel writes
        "",
        ROW.format(3, 3).replace("lopend", "onbekend"),
        ROW.format(4, 4),
    ]
    _regie(exports, "\r".join(lines).encode() + b"\r")
    for parsed in (None, tmp_path / "parsed", tmp_path / "parsed"):  # direct, kept, reused
        db.unlink(missing_ok=True)
        con = duckdb.connect(str(db))
        land_exports(exports, con, load_config(), "test", lambda _: None, parsed_dir=parsed)
        check_row_conservation(con)
        assert con.execute("select casusnummer, huishouden_pseudo, _regel from raw.regie order by 3").fetchall() == [
            ("C-1", "HH-1", 2), ("C-2", "HH\n2", 3), ("C-4", "HH-4", 7)
        ]
        assert quarantine(con) == [
            (f"regie_{EXPORT_DATE}.csv", 6, "resultaat", "resultaat 'onbekend' is geen geldige code")
        ]
        con.close()


def test_a_cr_only_windows_1252_file_lands_and_names_a_bad_byte_by_its_line(exports, db):
    path = write_export(exports, "inkomen", [valid_row("inkomen", i, opmerking="café") for i in range(3)])
    cr_only = path.read_bytes().replace(b"\r\n", b"\r")
    path.write_bytes(cr_only)
    con, result = land(exports, db)
    assert result.rows_loaded == 3
    assert [r for (r,) in con.execute("select _regel from raw.inkomen order by 1").fetchall()] == [2, 3, 4]
    con.close()
    third = cr_only.index(b"\r", cr_only.index(b"\r", cr_only.index(b"\r") + 1) + 1) + 1
    path.write_bytes(cr_only[:third] + b"\x81" + cr_only[third:])  # 0x81: not in Windows-1252
    db.unlink()
    with pytest.raises(RefusedFile, match="byte 0x81 op regel 4 is geen geldig Windows-1252"):
        land(exports, db)


def test_a_header_the_csv_module_cannot_split_is_refused_not_a_traceback(exports, db):
    _regie(exports, HEADER.replace("niveau", '"niveau"x').encode() + b"\n" + ROW.format(1, 1).encode() + b"\n")
    with pytest.raises(RefusedFile, match="de kopregel bevat een aanhalingsteken op een ongeldige plek"):
        land(exports, db)


# ---------------------------------------------------------------------------------------------
# The longest line and field


def _long_line_file(exports: Path, length: int) -> Path:
    """A regie export whose line 3 is `length` bytes, written a block at a time."""
    path = _regie(exports, f"{HEADER}\n{ROW.format(1, 1)}\n".encode())
    with open(path, "ab") as fh:
        block = b"x" * (1 << 20)
        fh.writelines(block for _ in range(length >> 20))
        fh.write(b"x" * (length % (1 << 20)) + b"\n" + ROW.format(2, 2).encode() + b"\n")
    return path


def test_a_200_mb_line_is_refused_by_the_build_in_bounded_memory(exports, tmp_path):
    _long_line_file(exports, 2 << 20)
    code, output, small_peak = _build(exports, tmp_path / "a.duckdb")
    refusal = f"FOUT: Bestand {REGIE} geweigerd: regel 3 is langer dan 1 MiB, het maximum per regel"
    assert code == 1 and refusal in output, output
    _long_line_file(exports, 200 << 20)
    code, output, huge_peak = _build(exports, tmp_path / "b.duckdb")
    assert code == 1 and refusal in output, output
    # The same build on a 2 MiB line is the baseline: the extra 198 MB must cost next to nothing.
    assert huge_peak - small_peak < 48, (small_peak, huge_peak)


@pytest.mark.parametrize("reader", [check_export, lambda e: list(read_export(e))])
def test_neither_reader_ever_holds_an_over_long_line(exports, reader):
    """read_export has its own guard: a file that grew a long line after its check."""
    path = _long_line_file(exports, 40 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(RefusedFile, match="regel 3 is langer dan 1 MiB"):
            reader(_export(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, peak


def _row_of(length: int, n: int) -> str:
    """A valid regie row of exactly `length` bytes (its pseudonym padded)."""
    row = ROW.format(n, n)
    return row.replace(f"HH-{n}", f"HH-{n}" + "h" * (length - len(row)))


@pytest.mark.parametrize("block", [7, 16, 1000])
def test_the_line_limit_is_exact_wherever_the_blocks_fall(exports, db, monkeypatch, block):
    monkeypatch.setattr(land_module, "_BLOCK_BYTES", block)
    limit = len(HEADER) + 5
    monkeypatch.setattr(land_module, "MAX_LINE_BYTES", limit)
    _regie(exports, f"{HEADER}\n{_row_of(limit, 1)}\n{_row_of(limit, 2)}\n".encode())
    con, result = land(exports, db)  # lines of exactly the limit land
    assert result.rows_loaded == 2
    con.close()
    for line, rows in ((2, [limit + 1, limit]), (3, [limit, limit + 1])):
        db.unlink()
        _regie(exports, f"{HEADER}\n{_row_of(rows[0], 1)}\n{_row_of(rows[1], 2)}\n".encode())
        with pytest.raises(RefusedFile, match=f"regel {line} is langer dan {limit} bytes"):
            land(exports, db)


def test_a_quoted_field_over_the_limit_is_refused_with_the_line_it_starts_on(exports, db):
    lines = "\n".join(["x" * 1000] * 1100)  # 1.1 MB over lines of 1000 bytes: each line is fine
    _regie(exports, f'{HEADER}\n{ROW.format(1, 1)}\nC-2;"{lines}";wmo;01-03-2025;;procesregisseur;lopend\n'.encode())
    with pytest.raises(RefusedFile) as refused:
        land(exports, db)
    assert refused.value.probleem == (
        "het veld dat op regel 3 begint is langer dan 1 MiB, het maximum per veld "
        "(wordt een aanhalingsteken niet gesloten?)"
    )


def test_a_field_beyond_the_csv_modules_default_limit_lands(exports, db):
    """128 KiB, the csv module's own default limit, is no limit for landing: 1 MiB is."""
    _regie(exports, f"{HEADER}\n{ROW.format(1, 'H' * 300_000)}\n".encode())
    con, result = land(exports, db)
    assert result.rows_loaded == 1
    assert con.execute("select length(huishouden_pseudo) from raw.regie").fetchone() == (300_003,)


# ---------------------------------------------------------------------------------------------
# A very wide header


def _wide(exports: Path, extra: list[str], rows: int = 2) -> ExportFile:
    width = len(HEADER.split(";")) + len(extra)
    lines = [";".join([HEADER, *extra])]
    lines += [";".join([ROW.format(i, i), *[""] * len(extra)]) for i in range(rows)]
    path = _regie(exports, ("\n".join(lines) + "\n").encode())
    assert len(lines[1].split(";")) == width
    return _export(path)


def _seconds(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def test_a_header_of_20000_columns_is_read_in_well_under_a_second(exports):
    export = _wide(exports, [f"kolom_{i}" for i in range(20_000)])
    rows = []
    seconds = _seconds(lambda: (check_export(export), rows.extend(read_export(export))))
    assert sum(batch.num_rows for batch in rows) == 2
    assert seconds < 1, seconds  # quadratic (a count per name) took seconds


def test_a_repeated_column_among_20000_is_refused_in_well_under_a_second(exports):
    export = _wide(exports, [f"kolom_{i}" for i in range(20_000)] + ["niveau"])

    def refused():
        with pytest.raises(RefusedFile, match="kolom 'niveau' staat meer dan eens in de kopregel"):
            list(read_export(export))

    seconds = _seconds(refused)
    assert seconds < 1, seconds


# ---------------------------------------------------------------------------------------------
# BSN-like values in id and pseudonym columns


def _eleven_test(digits: str) -> bool:
    """The 11-proef, written out independently of the SQL in landing."""
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    return sum(w * int(d) for w, d in zip(weights, digits)) % 11 == 0


@pytest.mark.parametrize(
    ("value", "bsn_like"),
    [
        ("123456782", True),
        ("111222333", True),
        ("111222334", False),
        (" 123456782 ", True),  # landing trims, so does this check
        ("999999990", True),
        ("123456789", False),  # nine digits, fails the 11-proef: an ordinary number
        ("12345678", False),
        ("1234567820", False),
        ("12345678a", False),
        ("1234.56.782", False),  # only exactly nine digits count
        ("HH-123456782", False),
    ],
)
def test_the_11_proef_on_a_pseudonym(exports, db, value, bsn_like):
    digits = value.strip()
    assert bsn_like == (len(digits) == 9 and digits.isdigit() and _eleven_test(digits))
    write_export(exports, "wmo", [valid_row("wmo", 0, client_pseudo=value)])
    con, result = land(exports, db)
    check_row_conservation(con)
    if bsn_like:
        assert quarantine(con) == [
            (f"wmo_{EXPORT_DATE}.csv", 2, "client_pseudo", f"client_pseudo {BSN_REASON}")
        ]
        assert result.rows_loaded == 0
    else:
        assert quarantine(con) == [] and result.rows_loaded == 1


def test_every_id_and_pseudonym_column_of_every_source_is_checked(exports, db):
    bsn = "123456782"
    expected = []
    for bron, source in CONTRACT.items():
        columns = [c.name for c in source.columns if c.kind == TEXT]
        rows = [valid_row(bron, 0)] + [valid_row(bron, i + 1, **{c: bsn}) for i, c in enumerate(columns)]
        if bron == "enquete":  # keyed by (respondent_id, vraag): one vraag per row keeps them apart
            vragen = source.column("vraag").codes
            rows = [dict(row, vraag=vragen[i]) for i, row in enumerate(rows)]
        path = write_export(exports, bron, rows)
        expected += [(path.name, i + 3, c, f"{c} {BSN_REASON}") for i, c in enumerate(columns)]
    con, result = land(exports, db)
    check_row_conservation(con)
    assert quarantine(con) == sorted(expected)
    assert result.rows_loaded == len(CONTRACT)  # the first row of each source
    # Neither the quarantine nor load_log (both published) repeats the value.
    for table in ("quarantine", "load_log"):
        rows = con.execute(f"select * from {table}").fetchall()
        assert bsn not in repr(rows)
