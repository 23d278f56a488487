"""Landing: read every team export exactly per the data contract into the build DB.

Python does only what must be done per file: find and name-check files, decode bytes (Windows-1252
for `inkomen`, DuckDB has no such encoding offline), split records with the csv module (quotes,
`;` and newlines inside free text, line numbers) and map the header. Each file's records go
column-wise to DuckDB as strings, BATCH_ROWS at a time (a file is never in memory whole); typing,
quarantine and "latest export wins" are set-based SQL per source, so landing scales with DuckDB
rather than with Python loops over fields.

Every record read ends up in exactly one of: raw.<bron> (loaded), quarantine (one row per problem,
counted once per record) or superseded by a later record with the same key. A record whose newest
version is in quarantine lands not at all: its latest older version goes to quarantine too, saying
so. load_log keeps these counts per file and check_row_conservation() proves they add up.

Only what is really an export is opened: regular files with an export's name and a date that is
not in the future (a symlink or a FIFO in a source folder is refused by name, never followed or
opened), and no line longer than MAX_LINE_BYTES is ever held in memory.
"""

from __future__ import annotations

import codecs
import csv
import errno
import hashlib
import io
import itertools
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from operator import itemgetter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.ipc  # pa.ipc: read and write the parsed files

from sdmonitor.config import Config
from sdmonitor.contract import (
    BOOLEAN,
    CODE,
    CONTRACT,
    DATE,
    DECIMAL,
    DELIMITER,
    EARLIEST_DATE,
    FILE_NAME_PATTERN,
    INTEGER,
    MONTH,
    PERIOD,
    SOURCES_ORDER,
    TEXT,
    WIJK_CODE,
    WIJK_NAME,
    Column,
    Source,
)
from sdmonitor.errors import CheckFailed, RefusedFile
from sdmonitor.files import replace_atomically
from sdmonitor.nl import getal
from sdmonitor.rawschema import RAW_SCHEMA, create_raw_tables, landed_name, raw_columns
from sdmonitor.wijk import UNKNOWN, WijkNormaliser

STAGE = "_landing"  # prefix of temporary tables: row-level strings, gone with the connection
_OTHER_DELIMITERS = (",", "\t", "|")
# A value longer than this, or with a run of 8+ digits (a BSN has 9), is not repeated in a
# quarantine reason: the quarantine table is published and must never carry row content.
_MAX_SHOWN_VALUE = 40
# The reason for an id or pseudonym that looks like a BSN; it never shows the value.
BSN_REASON = "lijkt een BSN (9 cijfers, 11-proef): niet geladen"


@dataclass
class LandingResult:
    files: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_superseded: int
    sources_without_files: list[str]


@dataclass(frozen=True)
class ExportFile:
    source: Source
    path: Path
    exportdatum: date

    @property
    def label(self) -> str:
        """How messages name the file: <bron>/<bestand>."""
        return f"{self.source.code}/{self.path.name}"


# ---------------------------------------------------------------------------------------------
# Finding files


def find_export_files(exports_dir: Path) -> dict[str, list[ExportFile]]:
    """Every export file per source, oldest first. Refuses anything that is not a named export.

    Hidden files (.DS_Store, office lock files) are not exports and are skipped. Nothing is
    opened here: an entry's kind comes from lstat, which neither follows a symlink nor blocks
    on a FIFO.
    """
    if not exports_dir.is_dir():
        raise RefusedFile(str(exports_dir), "de exportmap bestaat niet")
    files: dict[str, list[ExportFile]] = {code: [] for code in SOURCES_ORDER}
    for entry in sorted(_visible(exports_dir)):
        mode = _lstat_mode(entry, entry.name)
        if stat.S_ISLNK(mode):
            # A linked folder would read files from anywhere: only what is in the folder counts.
            raise RefusedFile(entry.name, _not_regular(mode, "gewone map"))
        if not stat.S_ISDIR(mode):
            raise RefusedFile(
                entry.name, "staat niet in een bronmap; verwacht <bron>/<bron>_<jjjjmmdd>.csv"
            )
        if entry.name not in CONTRACT:
            raise RefusedFile(
                entry.name + "/",
                f"onbekende bron '{entry.name}'; bekend zijn: {', '.join(SOURCES_ORDER)}",
            )
        files[entry.name] = [_export_file(CONTRACT[entry.name], p) for p in sorted(_visible(entry))]
    return files


def _visible(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if not p.name.startswith(".")]


def _export_file(source: Source, path: Path) -> ExportFile:
    label = f"{source.code}/{path.name}"
    expected = f"verwacht {source.code}_<jjjjmmdd>.csv"
    mode = _lstat_mode(path, label)
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise RefusedFile(label, _not_regular(mode))
    match = re.match(FILE_NAME_PATTERN, path.name)
    if stat.S_ISDIR(mode) or not match or match["bron"] != source.code:
        raise RefusedFile(label, f"de naam volgt niet het patroon van de exports; {expected}")
    try:
        exportdatum = datetime.strptime(match["datum"], "%Y%m%d").date()
    except ValueError:
        raise RefusedFile(
            label, f"'{match['datum']}' in de naam is geen geldige exportdatum; {expected}"
        )
    _refuse_future(label, exportdatum)
    return ExportFile(source, path, exportdatum)


def _refuse_future(label: str, exportdatum: date) -> None:
    """An export cannot be dated after today: latest export wins, so a typo such as 2052 for
    2025 would win over every later correction of its records, forever."""
    today = date.today()
    if exportdatum > today:
        raise RefusedFile(
            label,
            f"de exportdatum {exportdatum:%d-%m-%Y} in de naam ligt na vandaag ({today:%d-%m-%Y}); "
            "een export uit de toekomst zou elke latere correctie verdringen",
        )


def _lstat_mode(path: Path, label: str) -> int:
    try:
        return path.lstat().st_mode
    except OSError as err:  # e.g. removed while the folder was being listed
        raise RefusedFile(label, _unreadable(err)) from None


def _not_regular(mode: int, wanted: str = "gewoon bestand") -> str:
    """Why an entry of this mode is not read: only regular files are (a FIFO would block)."""
    kinds = (
        (stat.S_ISLNK, "een symbolische koppeling (symlink)"),
        (stat.S_ISFIFO, "een named pipe (FIFO)"),
        (stat.S_ISSOCK, "een socket"),
        (stat.S_ISCHR, "een apparaat"),
        (stat.S_ISBLK, "een apparaat"),
        (stat.S_ISDIR, "een map"),
    )
    kind = next((name for is_kind, name in kinds if is_kind(mode)), "een bijzonder bestand")
    return f"het is {kind}, geen {wanted}; alleen gewone bestanden in gewone mappen worden gelezen"


def _unreadable(err: OSError) -> str:
    if err.errno in (errno.EACCES, errno.EPERM):
        return "het bestand mag niet worden gelezen (geen leesrechten)"
    return f"het bestand kan niet worden gelezen ({err.strerror or err})"


# ---------------------------------------------------------------------------------------------
# Reading one file

# Records per Arrow batch and per staging insert: a file of any size is read, kept and staged
# this many records at a time, so landing's memory does not grow with the size of an export,
# while the many small monthly files still share an insert.
BATCH_ROWS = 100_000
_BLOCK_BYTES = 1 << 20
_UTF8_BOM = b"\xef\xbb\xbf"
# The longest line (and field) an export may have. A team's row is a few hundred bytes; a line
# of a megabyte is a broken file (an unclosed quote, a binary dump) and is refused with its
# line. The limit also bounds memory: a line is only ever built when it is shorter than this,
# so one 200 MB line costs a block of memory, not the line (Python holds text as up to 4
# bytes a character). It is also the csv module's field limit, so the field size limit and
# the line limit are one number.
MAX_LINE_BYTES = 1 << 20


def _open_regular(export: ExportFile):
    """The export opened for reading in binary, if it is (still) a regular file.

    find_export_files refused symlinks and FIFOs already; this is the check at the moment of
    opening, so a file swapped since cannot slip through: O_NOFOLLOW refuses a symlink, and
    O_NONBLOCK lets a FIFO be opened (and refused) without waiting for a writer.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(export.path, flags)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise RefusedFile(export.label, _not_regular(stat.S_IFLNK)) from None
        raise RefusedFile(export.label, _unreadable(err)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise RefusedFile(export.label, _not_regular(mode))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _blocks(fh, export: ExportFile, size: int = _BLOCK_BYTES) -> Iterator[bytes]:
    """The file's bytes, `size` at a time; a read error refuses the file by name."""
    while True:
        try:
            block = fh.read(size)
        except OSError as err:
            raise RefusedFile(export.label, _unreadable(err)) from None
        if not block:
            return
        yield block


def _head(fh, export: ExportFile) -> bytes:
    """The file's first bytes, enough for its header line; rewinds `fh`."""
    try:
        head = fh.read(MAX_LINE_BYTES + 1)
        fh.seek(0)
    except OSError as err:
        raise RefusedFile(export.label, _unreadable(err)) from None
    return head


def _is_cr_only(head: bytes) -> bool:
    """Whether a file with this head ends its lines with a lone CR ("CSV (Macintosh)").

    The header's line end decides: such a file ends every record with CR (and writes LF only
    inside quoted cells), where every other export ends its header with LF or CR LF.
    """
    cr, lf = head.find(b"\r"), head.find(b"\n")
    return cr >= 0 and (lf < 0 or cr < lf) and head[cr + 1 : cr + 2] != b"\n"


def _translated(block: bytes, cr_only: bool) -> bytes:
    """A CR-only file's block with LF line ends, so it is split and counted like any other.

    Byte 0x0D is a CR in UTF-8 and Windows-1252 alike, never part of another character.
    """
    return block.replace(b"\r", b"\n") if cr_only else block


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else f"{getal(limit)} bytes"


def _too_long(export: ExportFile, line: int) -> RefusedFile:
    return RefusedFile(
        export.label, f"regel {line} is langer dan {_size(MAX_LINE_BYTES)}, het maximum per regel"
    )


class _Scan:
    """What check_export finds in a file's blocks, in order; the first problem refuses the file.

    NUL bytes and an over-long line refuse at once (no need to read a huge file to the end);
    the encoding's verdict and an empty file need the whole file.
    """

    def __init__(self, export: ExportFile, skip: int):
        self.export = export
        encoding = export.source.encoding
        self.decoder = codecs.getincrementaldecoder(encoding)()
        # Only a Windows-1252 source asks whether the file is UTF-8 instead.
        self.as_utf8 = codecs.getincrementaldecoder("utf-8")() if encoding == "cp1252" else None
        self.undecodable: tuple[int, int] | None = None  # (byte, line) of the first bad byte
        self.lines = 0  # line ends in the blocks before the current one
        self.open_line = 0  # bytes of the line not yet ended after the blocks so far
        self.is_ascii = self.blank = True
        self.skip = skip  # a UTF-8 source's BOM is not text

    def feed(self, block: bytes) -> None:
        if b"\x00" in block:
            raise RefusedFile(self.export.label, "het is geen tekstbestand (het bevat NUL-bytes)")
        ends = block.count(b"\n")
        self._check_line_length(block, ends)
        self.blank = self.blank and not block[self.skip :].strip()
        self.skip = 0
        self.is_ascii = self.is_ascii and block.isascii()
        self._decode(block, final=False)
        self.lines += ends

    def _check_line_length(self, block: bytes, ends: int) -> None:
        """Refuse the first line over MAX_LINE_BYTES, counting bytes instead of holding them.

        A block is at most MAX_LINE_BYTES, so a line that starts and ends within one block is
        short enough: only the line still open at a block's edge needs counting.
        """
        if ends:
            if self.open_line + block.find(b"\n") > MAX_LINE_BYTES:
                raise _too_long(self.export, self.lines + 1)
            self.open_line = len(block) - block.rfind(b"\n") - 1
        else:
            self.open_line += len(block)
        if self.open_line > MAX_LINE_BYTES:
            raise _too_long(self.export, self.lines + ends + 1)

    def _decode(self, block: bytes, final: bool) -> None:
        if self.as_utf8 is not None:
            try:
                self.as_utf8.decode(block, final)
            except UnicodeDecodeError:
                self.as_utf8 = None
        if self.undecodable is None:
            try:
                self.decoder.decode(block, final)
            except UnicodeDecodeError as err:
                before = err.object[: err.start]
                self.undecodable = (err.object[err.start], self.lines + before.count(b"\n") + 1)

    def finish(self, bom: bool) -> None:
        """The verdicts that need the whole file; `bom`: the file starts with a UTF-8 BOM."""
        self._decode(b"", final=True)
        label, cp1252 = self.export.label, self.export.source.encoding == "cp1252"
        if cp1252 and bom:
            raise RefusedFile(label, "het is UTF-8 (met BOM), maar deze bron levert Windows-1252")
        if cp1252 and not self.is_ascii and self.as_utf8 is not None:
            raise RefusedFile(label, "het is UTF-8, maar deze bron levert Windows-1252")
        if self.undecodable is not None:
            name = "Windows-1252" if cp1252 else "UTF-8"
            byte, line = self.undecodable
            raise RefusedFile(label, f"byte 0x{byte:02x} op regel {line} is geen geldig {name}")
        if self.blank:
            raise RefusedFile(label, "het bestand is leeg: er is geen kopregel")


def check_export(export: ExportFile, digest=None) -> None:
    """Refuse a file that is not text in its source's encoding; feed `digest` its bytes.

    Reads the file in blocks, so a file of any size is checked in little memory. The first
    problem in this order is reported: not a regular file, NUL bytes or a line longer than
    MAX_LINE_BYTES (whichever comes first), a UTF-8 file where Windows-1252 is due, a byte the
    encoding does not have (with its line), no header at all. Lines are counted as read_export
    counts them, also in a CR-only file.
    """
    with _open_regular(export) as fh:
        head = _head(fh, export)
        cr_only = _is_cr_only(head)
        bom = head.startswith(_UTF8_BOM)
        skip = len(_UTF8_BOM) if bom and export.source.encoding != "cp1252" else 0
        scan = _Scan(export, skip)
        # Blocks no longer than a line may be, for _Scan's line count.
        for block in _blocks(fh, export, min(_BLOCK_BYTES, MAX_LINE_BYTES)):
            if digest is not None:
                digest.update(block)
            scan.feed(_translated(block, cr_only))
    scan.finish(bom)


def read_export(export: ExportFile) -> Iterator[pa.RecordBatch]:
    """Split a checked file per the contract into batches of the source's staging schema.

    Every record read is a row, with the line where it starts (header = line 1; a quoted field
    may span lines): a row of the table has its landed columns (free text never), a record that
    is not a row of the table has only its `_reden`. Blank lines hold no record. Only the landed
    columns of a record are kept, so a file with thousands of extra columns costs no more.
    """
    with _open_regular(export) as fh:
        cr_only = _is_cr_only(_head(fh, export))
        csv.field_size_limit(MAX_LINE_BYTES)  # the csv module's default (128 KiB) is lower
        reader = csv.reader(_lines(fh, export, cr_only), delimiter=DELIMITER, strict=True)
        header = _read_header(reader, export)
        pick = _picker(list(_column_positions(export, header).values()))
        width = len(header)
        not_a_row = (None,) * len(export.source.landed_columns)
        records: list[tuple] = []
        lines: list[int] = []
        reasons: list[str | None] = []
        previous_end = reader.line_num
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                _refuse_unclosed_field(export, err, previous_end + 1)
                start, previous_end = previous_end + 1, reader.line_num
                record, reason = not_a_row, "regel " + _csv_problem(err)
            else:
                start, previous_end = previous_end + 1, reader.line_num
                if not record:
                    continue
                reason = None
                if len(record) != width:
                    record, reason = not_a_row, f"regel heeft {len(record)} velden, verwacht {width}"
                else:
                    record = pick(record)
            records.append(record)
            lines.append(start)
            reasons.append(reason)
            if len(records) == BATCH_ROWS:
                yield _record_batch(export, records, lines, reasons)
                records, lines, reasons = [], [], []
        if records:
            yield _record_batch(export, records, lines, reasons)


def _picker(positions: list[int]) -> Callable[[list[str]], tuple]:
    """The landed fields of a record, in landed-column order (itemgetter: C speed per row)."""
    if len(positions) == 1:
        return lambda record: (record[positions[0]],)
    return itemgetter(*positions)


def _read_header(reader, export: ExportFile) -> list[str]:
    try:
        header = next(reader)
    except csv.Error as err:
        _refuse_unclosed_field(export, err, 1)
        raise RefusedFile(export.label, "de kopregel " + _csv_problem(err)) from None
    except StopIteration:  # check_export refuses an empty file first; kept for safety
        raise RefusedFile(export.label, "het bestand is leeg: er is geen kopregel") from None
    return [name.strip().lower() for name in header]


def _lines(fh, export: ExportFile, cr_only: bool) -> Iterator[str]:
    """The lines of a checked file, ends kept, split on '\\n' only, decoded a block at a time.

    Iterating one StringIO per block of whole lines keeps the per-line work in C, which a text
    file object (a call per line) does not: the csv reader is landing's hot loop.
    """
    return itertools.chain.from_iterable(map(io.StringIO, _text_blocks(fh, export, cr_only)))


def _text_blocks(fh, export: ExportFile, cr_only: bool) -> Iterator[str]:
    """The file decoded in blocks of whole lines: each block ends with a newline but the last.

    A line is only ever joined when it is within MAX_LINE_BYTES: check_export refused longer
    ones, and a file that grew one since is refused here before the line is built.
    """
    decoder = codecs.getincrementaldecoder(export.source.encoding)()
    pending: list[bytes] = []
    pending_bytes = lines = 0
    for block in _blocks(fh, export):
        block = _translated(block, cr_only)
        cut = block.rfind(b"\n") + 1
        if not cut:  # a line longer than a block
            pending.append(block)
            pending_bytes += len(block)
            if pending_bytes > MAX_LINE_BYTES:
                raise _too_long(export, lines + 1)
            continue
        whole = b"".join([*pending, block[:cut]])
        lines += whole.count(b"\n")
        yield decoder.decode(whole)
        pending = [block[cut:]]
        pending_bytes = len(block) - cut
    yield decoder.decode(b"".join(pending), final=True)


def _record_batch(export: ExportFile, records, lines, reasons) -> pa.RecordBatch:
    """Records of landed fields (in landed-column order) as a batch of the staging schema."""
    by_column = list(zip(*records))
    n = len(records)
    arrays = [
        pa.repeat(pa.scalar(export.path.name, pa.string()), n),
        pa.repeat(pa.scalar(export.exportdatum, pa.date32()), n),
        pa.array(lines, pa.int32()),
        pa.array(reasons, pa.string()),
        *(pa.array(column, pa.string()) for column in by_column),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=stage_schema(export.source))


def stage_schema(source: Source) -> pa.Schema:
    """A source's records as read: lineage, the reden of a record that is not a row, strings."""
    return _stage_schema(source.code)


@cache
def _stage_schema(code: str) -> pa.Schema:
    source = CONTRACT[code]
    return pa.schema(
        [("_bestand", pa.string()), ("_exportdatum", pa.date32()), ("_regel", pa.int32()),
         ("_reden", pa.string())]
        + [(c.name, pa.string()) for c in source.landed_columns]
    )


def _column_positions(export: ExportFile, header: list[str]) -> dict[str, int]:
    """Position of every landed contract column in the header; other columns are ignored.

    Linear in the header's width (a Counter, one pass): a header of 20 000 columns costs
    milliseconds, where counting each name in the list took seconds.
    """
    if len(header) == 1:
        for other in _OTHER_DELIMITERS:
            if other in header[0]:
                shown = "tab" if other == "\t" else f"'{other}'"
                raise RefusedFile(
                    export.label, f"de kopregel is gescheiden door {shown} in plaats van ';'"
                )
    counts = Counter(header)
    for name in export.source.column_names:  # a repeated extra column is ignored like any other
        if counts[name] > 1:
            raise RefusedFile(export.label, f"kolom '{name}' staat meer dan eens in de kopregel")
    wanted = [c.name for c in export.source.landed_columns]
    missing = [name for name in wanted if name not in counts]
    if missing:
        raise RefusedFile(export.label, f"verplichte kolom(men) ontbreken: {', '.join(missing)}")
    wanted_set = set(wanted)
    position = {name: i for i, name in enumerate(header) if name in wanted_set}
    return {name: position[name] for name in wanted}


def _csv_problem(err: csv.Error) -> str:
    """What is wrong with a line the csv module cannot split, after 'regel' or 'de kopregel'."""
    if "new-line character" in str(err):
        # A lone CR inside a line of a file with LF line ends (only a quoted field may hold one).
        return "bevat een los CR-teken (regeleinde) buiten aanhalingstekens"
    return "bevat een aanhalingsteken op een ongeldige plek"


def _refuse_unclosed_field(export: ExportFile, err: csv.Error, line: int) -> None:
    """An opening quote never closed swallows the rest of the file: refuse the file.

    The csv module says so at the end of the file, or, in a larger file, when the swallowed
    field passes MAX_LINE_BYTES (a field that long is refused as well).
    """
    message = str(err)
    if "unexpected end of data" in message:
        raise RefusedFile(export.label, f"het aanhalingsteken op regel {line} wordt niet gesloten")
    if "field larger than field limit" in message:
        raise RefusedFile(
            export.label,
            f"het veld dat op regel {line} begint is langer dan {_size(MAX_LINE_BYTES)}, het "
            "maximum per veld (wordt een aanhalingsteken niet gesloten?)",
        )


# ---------------------------------------------------------------------------------------------
# Parsed files, kept between builds


class ParsedFiles:
    """Each export file's records as read (read_export), kept as an Arrow file in `folder`.

    An export is read once: a file whose name and bytes are unchanged (and read by the same
    landing code and contract) comes back from its Arrow file instead of being split again by
    Python's csv module, the slowest part of landing. Typing, quarantine and "latest export
    wins" still run over every row in SQL. A file is written to its Arrow file first and then
    read back batch by batch, so no file is ever in memory whole. The folder is private
    (row-level data, like the build database; free text is never in it) and holds only the
    files of the last build. With `folder` None (or a full disk) records go straight from the
    csv reader to the stage.
    """

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder else None
        self.used: set[str] = set()
        self.reused = 0
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)

    def parse(self, export: ExportFile, emit: Callable[[pa.RecordBatch], None]) -> int:
        """Check one export, hand its records to `emit` batch by batch; return the records read."""
        digest = hashlib.sha256(f"{_parser_version()}{export.label}".encode()) if self.folder else None
        check_export(export, digest)
        if digest is not None:
            kept = self.folder / f"{digest.hexdigest()}.arrow"
            self.used.add(kept.name)
            if kept.exists() and (rows := _emit_kept(kept, emit)) is not None:
                self.reused += 1
                return rows
            if self._keep(export, kept) and (rows := _emit_kept(kept, emit)) is not None:
                return rows
        return _emit_all(read_export(export), emit)

    def forget_unused(self) -> None:
        """Remove what this build did not use (and a killed build's half-written files)."""
        if self.folder:
            for path in [*self.folder.glob("*.arrow"), *self.folder.glob(".*.tmp")]:
                if path.name not in self.used:
                    path.unlink(missing_ok=True)

    @staticmethod
    def _keep(export: ExportFile, kept: Path) -> bool:
        def write(tmp: Path) -> None:
            with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, stage_schema(export.source)) as writer:
                for batch in read_export(export):
                    writer.write_batch(batch)

        try:
            replace_atomically(kept, write)
        except OSError:  # a full disk costs the shortcut; the build itself goes on (or fails later)
            return False
        return True


def _emit_kept(kept: Path, emit: Callable[[pa.RecordBatch], None]) -> int | None:
    """Hand a kept file's batches to `emit`; None (and the file removed) when it does not open.

    An Arrow file's footer is written last, so a file that opens is whole: nothing is emitted
    from a file that then turns out to be broken.
    """
    with pa.OSFile(str(kept)) as source:
        try:
            reader = pa.ipc.open_file(source)
        except pa.ArrowException:
            reader = None
        if reader is not None:
            return _emit_all((reader.get_batch(i) for i in range(reader.num_record_batches)), emit)
    kept.unlink(missing_ok=True)
    return None


def _emit_all(batches: Iterator[pa.RecordBatch], emit: Callable[[pa.RecordBatch], None]) -> int:
    rows = 0
    for batch in batches:
        emit(batch)
        rows += batch.num_rows
    return rows


@cache
def _parser_version() -> str:
    """What a parsed file depends on besides its bytes: this module and the contract."""
    digest = hashlib.sha256()
    for path in (Path(__file__), Path(__file__).with_name("contract.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Staging: strings per source in DuckDB


def _stage_table(source: Source) -> str:
    return f"{STAGE}_{source.code}"


def _create_stage(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"create or replace temp table {STAGE}_files (bron VARCHAR, bestand VARCHAR, exportdatum DATE, "
        "rijen_gelezen BIGINT)"
    )
    con.execute(
        f"create or replace temp table {STAGE}_superseded (bron VARCHAR, bestand VARCHAR, rijen BIGINT)"
    )
    for source in CONTRACT.values():
        cols = ", ".join(f'"{c.name}" VARCHAR' for c in source.landed_columns)
        con.execute(
            f"create or replace temp table {_stage_table(source)} (_bestand VARCHAR, _exportdatum DATE, "
            f"_regel INTEGER, _reden VARCHAR, {cols})"
        )


def _drop_stage(con: duckdb.DuckDBPyConnection) -> None:
    """Free the row-level strings as soon as they are landed."""
    temp_tables = con.execute(
        "select table_name from duckdb_tables() where temporary and starts_with(table_name, ?)",
        [STAGE],
    ).fetchall()
    for (name,) in temp_tables:
        con.execute(f"drop table temp.{name}")


class _Stager:
    """A source's batches on their way to its stage table, inserted about BATCH_ROWS at a time.

    Per-file inserts cost more than the parsing for the many small monthly files; batches of
    several files share an insert, and at most one insert's strings are in Python/Arrow.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, source: Source):
        self.con, self.source = con, source
        self.batches: list[pa.RecordBatch] = []
        self.rows = 0

    def add(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)
        self.rows += batch.num_rows
        if self.rows >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.batches:
            return
        self.con.register("_staged_source", pa.Table.from_batches(self.batches, stage_schema(self.source)))
        try:
            self.con.execute(f"insert into {_stage_table(self.source)} by name select * from _staged_source")
        finally:
            self.con.unregister("_staged_source")
        self.batches, self.rows = [], 0


def _stage_source(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    exports: list[ExportFile],
    parsed_files: ParsedFiles,
) -> None:
    """Read every file of a source into its stage table; note what was read of each file."""
    stager = _Stager(con, source)
    file_rows = [
        (source.code, export.path.name, export.exportdatum, parsed_files.parse(export, stager.add))
        for export in exports
    ]
    stager.flush()
    if file_rows:
        con.executemany(f"insert into {STAGE}_files values (?, ?, ?, ?)", file_rows)


# ---------------------------------------------------------------------------------------------
# Typing and quarantine: SQL per source


def _shown(value_sql: str) -> str:
    """The offending value quoted for a reason, unless it might be row content."""
    return (
        f"CASE WHEN length({value_sql}) <= {_MAX_SHOWN_VALUE} AND NOT regexp_matches({value_sql}, '[0-9]{{8}}') "
        f"THEN '''' || {value_sql} || '''' ELSE '(waarde niet getoond)' END"
    )


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _typed_and_reasons(source: Source, column: Column) -> tuple[str, list[tuple[str, str]]]:
    """SQL for the landed value of a column, and (condition, reason) SQL pairs that quarantine it."""
    v = f"nullif(trim(s.\"{column.name}\"), '')"
    shown = f"{_sql_str(column.name + ' ')} || {_shown(v)}"
    reasons: list[tuple[str, str]] = []
    if column.required:
        reasons.append((f"{v} IS NULL", _sql_str(f"{column.name} ontbreekt")))
    kind = column.kind
    if kind == DATE:
        typed = f"try_strptime({v}, {_sql_str(source.date_format)})::DATE"
        reasons += [
            (f"{v} IS NOT NULL AND {typed} IS NULL", f"{shown} || ' is geen geldige datum'"),
            (
                f"{typed} < DATE '{EARLIEST_DATE}'",
                f"{shown} || ' ligt voor {_dutch_date(EARLIEST_DATE)}'",
            ),
            (
                f"{typed} > s._exportdatum",
                f"{shown} || ' ligt na de exportdatum ' || strftime(s._exportdatum, '%d-%m-%Y')",
            ),
        ]
    elif kind == MONTH:
        valid = f"regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{1,2}}')"
        typed = f"CASE WHEN {valid} THEN try_strptime({v}, '%Y-%m')::DATE END"
        reasons.append(
            (
                f"{v} IS NOT NULL AND {typed} IS NULL",
                f"{shown} || ' is geen geldige maand (jjjj-mm)'",
            )
        )
    elif kind == PERIOD:
        typed = v
        reasons.append(
            (
                f"{v} IS NOT NULL AND NOT regexp_full_match({v}, '[0-9]{{4}}-H[12]')",
                f"{shown} || ' is geen geldige periode (jjjj-H1 of jjjj-H2)'",
            )
        )
    elif kind == INTEGER:
        typed = f"CASE WHEN regexp_full_match({v}, '-?[0-9]{{1,9}}') THEN {v}::INTEGER END"
        reasons.append(
            (f"{v} IS NOT NULL AND {typed} IS NULL", f"{shown} || ' is geen geheel getal'")
        )
    elif kind == DECIMAL:
        typed = f"CASE WHEN regexp_full_match({v}, '-?[0-9]+(,[0-9]+)?') THEN replace({v}, ',', '.')::DOUBLE END"
        reasons.append(
            (
                f"{v} IS NOT NULL AND {typed} IS NULL",
                f"{shown} || ' is geen geldig decimaal getal (zoals 0,8)'",
            )
        )
    elif kind == BOOLEAN:
        typed = f"CASE lower({v}) WHEN 'ja' THEN true WHEN 'nee' THEN false END"
        reasons.append((f"{v} IS NOT NULL AND {typed} IS NULL", f"{shown} || ' is geen ja of nee'"))
    elif kind == CODE:
        typed = v
        codes = ", ".join(_sql_str(code) for code in column.codes)
        reasons.append(
            (f"{v} IS NOT NULL AND {v} NOT IN ({codes})", f"{shown} || ' is geen geldige code'")
        )
    elif kind in (WIJK_NAME, WIJK_CODE):
        typed = f"coalesce(w.wijk_code, '{UNKNOWN}')"
    elif kind == TEXT:  # ids and pseudonyms: never a BSN (the reason does not repeat the value)
        typed = v
        reasons.append((_looks_like_bsn(v), _sql_str(f"{column.name} {BSN_REASON}")))
    else:
        typed = v
    if column.non_negative:
        reasons.append((f"{typed} < 0", f"{shown} || ' is negatief'"))
    return typed, reasons


def _looks_like_bsn(v: str) -> str:
    """SQL: `v` is nine digits passing the 11-proef, as every BSN does.

    The 11-proef: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible by 11. Only values of nine
    characters get past the cheap length test (CASE evaluates its branch for those rows only),
    so ids and pseudonyms of any other length cost one length() each.
    """
    digit = [f"(ascii(substr({v}, {i}, 1)) - 48)" for i in range(1, 10)]
    proef = " + ".join(f"{9 - i} * {d}" for i, d in enumerate(digit[:8])) + f" - {digit[8]}"
    return (
        f"CASE WHEN length({v}) = 9 THEN regexp_full_match({v}, '[0-9]{{9}}') "
        f"AND ({proef}) % 11 = 0 END"
    )


def _dutch_date(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d-%m-%Y")


def _wijk_column(source: Source) -> Column | None:
    return next((c for c in source.landed_columns if c.kind in (WIJK_NAME, WIJK_CODE)), None)


def _stage_wijk_map(
    con: duckdb.DuckDBPyConnection, source: Source, normaliser: WijkNormaliser
) -> None:
    """Map each distinct typed wijk of the source (few) to its code, in Python, once."""
    con.execute(f"create or replace temp table {STAGE}_wijkmap (getypt VARCHAR, wijk_code VARCHAR)")
    column = _wijk_column(source)
    if column is None:
        return
    typed = [
        row[0]
        for row in con.execute(
            f'select distinct "{column.name}" from {_stage_table(source)}'
        ).fetchall()
    ]
    mapping = [(value, normaliser.code_for(value)) for value in typed if value is not None]
    if mapping:
        con.executemany(f"insert into {STAGE}_wijkmap values (?, ?)", mapping)


def _land_source(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Type the staged rows, quarantine records that break the contract, keep the latest per key."""
    selects, checks, conditions = [], [], []
    for column in source.landed_columns:
        typed, reasons = _typed_and_reasons(source, column)
        selects.append(f"{typed} AS {landed_name(column.name, column.kind)}")
        conditions += [cond for cond, _ in reasons]
        checks += [
            f"CASE WHEN {cond} THEN {{'kolom': {_sql_str(column.name)}, 'reden': {reason}}} END"
            for cond, reason in reasons
        ]
    wijk = _wijk_column(source)
    join = f'LEFT JOIN {STAGE}_wijkmap w ON w.getypt = s."{wijk.name}"' if wijk else ""
    # Most rows break no rule: build the list of problems only for rows where a condition holds
    # (CASE evaluates its branch for the selected rows only), which halves the typing step.
    any_problem = " OR ".join(f"coalesce({cond}, false)" for cond in conditions)
    problems = (
        f"CASE WHEN {any_problem} THEN list_filter([{', '.join(checks)}], lambda p: p IS NOT NULL) "
        "ELSE [] END"
        if checks
        else "[]"
    )
    con.execute(
        f"""create or replace temp table {STAGE}_typed as
        select s._bestand, s._exportdatum, s._regel, {", ".join(selects)}, {problems} AS _problemen
        from {_stage_table(source)} s {join} where s._reden is null"""
    )
    con.execute(
        f"""insert into main.quarantine
        select {_sql_str(source.code)}, _bestand, _regel, NULL, _reden
        from {_stage_table(source)} where _reden is not null order by _bestand, _regel"""
    )
    con.execute(
        f"""insert into main.quarantine
        select {_sql_str(source.code)}, _bestand, _regel, p.kolom, p.reden
        from (select _bestand, _regel, unnest(_problemen) AS p from {STAGE}_typed)
        order by _bestand, _regel"""
    )
    _keep_latest(con, source)


def _keep_latest(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Latest export wins: per key, the newest version lands, if it is a row without problems.

    Versions are ordered by export date, then line. When the newest version of a record is in
    quarantine, no version of it counts: the newest clean one would be out of date, so it goes
    to quarantine as well, naming the version that keeps it out; older clean versions are
    superseded as usual. A line that is not a row (wrong number of fields) has no key and so
    keeps nothing out.
    """
    keys = [landed_name(k, source.column(k).kind) for k in source.key]
    key = ", ".join(keys)
    newest = "order by _exportdatum desc, _regel desc"
    # The newest quarantined version per key: few rows, so the joins below stay cheap.
    con.execute(
        f"""create or replace temp table {STAGE}_newest_quarantined as
        select {key}, _bestand, _regel, _exportdatum from {STAGE}_typed
        where len(_problemen) > 0 and {" and ".join(f"{k} is not null" for k in keys)}
        qualify row_number() over (partition by {key} {newest}) = 1"""
    )
    same_key = " and ".join(f"t.{k} = q.{k}" for k in keys)
    t_key = ", ".join(f"t.{k}" for k in keys)
    con.execute(
        f"""create or replace temp table {STAGE}_stale as
        select {t_key}, t._bestand, t._regel,
               q._bestand AS nieuwste_bestand, q._regel AS nieuwste_regel
        from {STAGE}_typed t join {STAGE}_newest_quarantined q on {same_key}
        where len(t._problemen) = 0
          and (t._exportdatum < q._exportdatum or (t._exportdatum = q._exportdatum and t._regel < q._regel))
        qualify row_number() over (partition by {t_key} order by t._exportdatum desc, t._regel desc) = 1"""
    )
    con.execute(
        f"""insert into main.quarantine
        select {_sql_str(source.code)}, _bestand, _regel, NULL,
               'een nieuwere versie van dit record (' || nieuwste_bestand || ', regel ' || nieuwste_regel
               || ') staat in quarantaine; deze versie telt daarom niet mee'
        from {STAGE}_stale order by _bestand, _regel"""
    )
    names = ", ".join(name for name, _ in raw_columns(source))
    # One window pass straight into the raw table (no ranked copy of the rows); a key with a
    # stale version has no version to load. What this left out of each file, and is not
    # stale, is what a later record superseded.
    con.execute(
        f"""insert into {RAW_SCHEMA}.{source.code} ({names})
        select {names} from {STAGE}_typed t
        anti join {STAGE}_stale q on {same_key}
        where len(t._problemen) = 0
        qualify row_number() over (partition by {key} {newest}) = 1
        order by _exportdatum, _regel"""
    )
    con.execute(
        f"""insert into {STAGE}_superseded
        select {_sql_str(source.code)}, t._bestand, t.rijen - coalesce(l.rijen, 0) - coalesce(s.rijen, 0)
        from (select _bestand, count(*) AS rijen from {STAGE}_typed
              where len(_problemen) = 0 group by _bestand) t
        left join (select _bestand, count(*) AS rijen from {RAW_SCHEMA}.{source.code}
                   group by _bestand) l using (_bestand)
        left join (select _bestand, count(*) AS rijen from {STAGE}_stale group by _bestand) s
            using (_bestand)
        where t.rijen > coalesce(l.rijen, 0) + coalesce(s.rijen, 0)"""
    )


# ---------------------------------------------------------------------------------------------
# Reference data, bookkeeping, the entry point


def _load_reference(con: duckdb.DuckDBPyConnection, config: Config) -> WijkNormaliser:
    """raw.ref_wijken and raw.ref_benchmarks from the config's files (delimiter sniffed)."""
    for path in (config.wijken_csv, config.benchmarks_csv):
        if not Path(path).is_file():
            raise RefusedFile(str(path), "het referentiebestand bestaat niet")
    con.execute(
        f"""create or replace table {RAW_SCHEMA}.ref_wijken as
        select wijkcode, wijknaam, inwoners::INTEGER AS inwoners, inwoners_0_17::INTEGER AS inwoners_0_17,
               inwoners_0_22::INTEGER AS inwoners_0_22, bron
        from read_csv(?, header = true, all_varchar = true)""",
        [str(config.wijken_csv)],
    )
    con.execute(
        f"""create or replace table {RAW_SCHEMA}.ref_benchmarks as
        select * replace (replace(waarde, ',', '.')::DOUBLE AS waarde)
        from read_csv(?, header = true, all_varchar = true)""",
        [str(config.benchmarks_csv)],
    )
    return WijkNormaliser(
        con.execute(f"select wijkcode, wijknaam from {RAW_SCHEMA}.ref_wijken").fetchall()
    )


def _create_bookkeeping(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create or replace table main.quarantine (bron VARCHAR, bestand VARCHAR, regel INTEGER, "
        "kolom VARCHAR, reden VARCHAR)"
    )
    con.execute(
        "create or replace table main.load_log (build_id VARCHAR, bron VARCHAR, bestand VARCHAR, "
        "exportdatum DATE, rijen_gelezen BIGINT, rijen_geladen BIGINT, rijen_quarantaine BIGINT, "
        "rijen_vervangen BIGINT)"
    )


def _loaded_per_file_sql() -> str:
    return " union all ".join(
        f"select '{code}' AS bron, _bestand AS bestand, count(*) AS rijen from {RAW_SCHEMA}.{code} group by all"
        for code in SOURCES_ORDER
    )


def _write_load_log(con: duckdb.DuckDBPyConnection, build_id: str) -> None:
    """Counts per file, each from where the rows actually are (not from running totals)."""
    con.execute(
        f"""insert into main.load_log
        select ?, f.bron, f.bestand, f.exportdatum, f.rijen_gelezen,
               coalesce(l.rijen, 0), coalesce(q.rijen, 0), coalesce(v.rijen, 0)
        from {STAGE}_files f
        left join ({_loaded_per_file_sql()}) l using (bron, bestand)
        left join (select bron, bestand, count(distinct regel) AS rijen from main.quarantine group by all) q
            using (bron, bestand)
        left join {STAGE}_superseded v using (bron, bestand)
        order by f.bron, f.bestand""",
        [build_id],
    )


def _write_bronnen(con: duckdb.DuckDBPyConnection) -> None:
    rows = " union all ".join(
        f"select '{code}' AS bron, {i} AS volgorde, (select count(*) from {RAW_SCHEMA}.{code}) AS rijen"
        for i, code in enumerate(SOURCES_ORDER)
    )
    con.execute(
        f"""create or replace table {RAW_SCHEMA}.bronnen as
        select r.bron, count(f.bestand) AS bestanden, max(f.exportdatum) AS laatste_exportdatum,
               any_value(r.rijen) AS rijen, min(f.exportdatum) AS eerste_exportdatum
        from ({rows}) r left join {STAGE}_files f using (bron)
        group by r.bron, r.volgorde order by r.volgorde"""
    )


def land_exports(
    exports_dir: Path,
    con: duckdb.DuckDBPyConnection,
    config: Config,
    build_id: str,
    progress: Callable[[str], None] = print,
    parsed_dir: Path | None = None,
) -> LandingResult:
    """Land every export under `exports_dir` into the build DB behind `con`.

    With `parsed_dir`, files parsed by an earlier build and unchanged since are not parsed
    again (see ParsedFiles).

    Creates raw.<bron>, raw.ref_wijken, raw.ref_benchmarks, raw.bronnen, main.quarantine and
    main.load_log (replacing earlier ones: landing the same files again gives the same tables).
    Raises RefusedFile for a file that cannot be read as a whole; the build DB is then
    incomplete and the orchestrator must not publish it.
    """
    files = find_export_files(Path(exports_dir))
    create_raw_tables(con)
    _create_stage(con)
    _create_bookkeeping(con)
    normaliser = _load_reference(con, config)
    parsed_files = ParsedFiles(parsed_dir)
    for code in SOURCES_ORDER:
        source = CONTRACT[code]
        _stage_source(con, source, files[code], parsed_files)
        _stage_wijk_map(con, source, normaliser)
        _land_source(con, source)
    _write_load_log(con, build_id)
    _write_bronnen(con)
    _drop_stage(con)
    parsed_files.forget_unused()
    if parsed_files.reused:
        progress(f"{getal(parsed_files.reused)} ongewijzigde bestanden niet opnieuw gesplitst")
    return _report(con, build_id, progress)


def _report(
    con: duckdb.DuckDBPyConnection, build_id: str, progress: Callable[[str], None]
) -> LandingResult:
    per_source = con.execute(
        """select b.bron, b.bestanden, b.rijen, coalesce(sum(l.rijen_quarantaine), 0)
        from raw.bronnen b left join main.load_log l on l.bron = b.bron and l.build_id = ?
        group by all""",
        [build_id],
    ).fetchall()
    by_code = {row[0]: row for row in per_source}
    for code in SOURCES_ORDER:
        _, n_files, rows, quarantined = by_code[code]
        if n_files == 0:
            progress(f"{code}: geen bestanden (indicatoren van deze bron ontbreken)")
        else:
            progress(
                f"{code}: {n_files} bestanden, {getal(rows)} rijen, {getal(quarantined)} in quarantaine"
            )
    totals = con.execute(
        """select count(*), sum(rijen_gelezen), sum(rijen_geladen), sum(rijen_quarantaine), sum(rijen_vervangen)
        from main.load_log where build_id = ?""",
        [build_id],
    ).fetchone()
    n_files, read, loaded, quarantined, superseded = (int(x or 0) for x in totals)
    return LandingResult(
        files=n_files,
        rows_read=read,
        rows_loaded=loaded,
        rows_quarantined=quarantined,
        rows_superseded=superseded,
        sources_without_files=[code for code in SOURCES_ORDER if by_code[code][1] == 0],
    )


def check_row_conservation(con: duckdb.DuckDBPyConnection) -> None:
    """Fail when any file's rows read are not exactly its rows loaded + quarantined + superseded.

    Loaded and quarantined are recounted from raw.<bron> and quarantine themselves, so the check
    also catches a load_log that disagrees with the tables it describes.
    """
    broken = con.execute(
        f"""select l.bestand, l.rijen_gelezen, coalesce(r.rijen, 0), coalesce(q.rijen, 0), l.rijen_vervangen
        from main.load_log l
        left join ({_loaded_per_file_sql()}) r using (bron, bestand)
        left join (select bron, bestand, count(distinct regel) AS rijen from main.quarantine group by all) q
            using (bron, bestand)
        where l.rijen_gelezen <> coalesce(r.rijen, 0) + coalesce(q.rijen, 0) + l.rijen_vervangen
           or l.rijen_geladen <> coalesce(r.rijen, 0) or l.rijen_quarantaine <> coalesce(q.rijen, 0)
        order by l.bestand"""
    ).fetchall()
    if broken:
        details = "; ".join(
            f"{bestand}: {read} gelezen, {loaded} geladen + {quarantined} in quarantaine + {superseded} vervangen"
            for bestand, read, loaded, quarantined, superseded in broken
        )
        raise CheckFailed(f"Rijen zijn zoekgeraakt bij het laden: {details}")
