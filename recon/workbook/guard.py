"""Checks on an input before any of it is parsed: a regular file of sane size, a real xlsx, no zip bomb, no
XML entities, and no sheet larger than recon will hold in memory.

An xlsx is a zip of XML parts. A hostile or broken one can claim gigabytes of XML in a few kilobytes; the
central directory tells us the uncompressed sizes up front, so we refuse before inflating anything. Then every
part is streamed once, whole: for DTDs and entity declarations (anywhere in the part, not only its head) and,
in each worksheet, for the largest cell that holds a value — python-calamine allocates a sheet's whole grid
from A1 to that cell, so one stray value at XFD999999 would ask for half a terabyte.

The file itself is read once (:func:`read_input`): the guard, the SHA-256 and python-calamine all work on
those bytes, so what was checked is what was read and hashed.

Limits can be raised through the environment: ``RECON_MAX_FILE_MB``, ``RECON_MAX_UNCOMPRESSED_MB``,
``RECON_MAX_RATIO``, ``RECON_MAX_ROWS``, ``RECON_MAX_COLUMNS``.

>>> data = read_input(Path("kenya.xlsx"))                                   # doctest: +SKIP
>>> book = check_container(data, "kenya.xlsx")                               # doctest: +SKIP
>>> book.sheets["Entries"].extent, book.sheets["Entries"].tables             # doctest: +SKIP
((4, 8), ('EntriesTable',))
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from recon.errors import UnusableInput

MAX_FILE_MB = 256  # the 2015 edition's largest workbook is well under 1 MB
MAX_UNCOMPRESSED_MB = 512
MAX_RATIO = 200  # real xlsx sheets compress 5–20×; bombs reach 1000×
MAX_ROWS = 1_000_000  # per sheet read (the template validates 5,000 entry rows; benchmarks use more)
MAX_COLUMNS = 256  # the template has 8 entry columns; offices add a few of their own
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and password-encrypted .xlsx
FIX = "save it from Excel as 'Excel Workbook (.xlsx)'"
_CHUNK = 1 << 20
# Markers of a DTD, in the encodings an XML part may use (Office writes UTF-8; a parser also reads UTF-16).
_DTD_MARKERS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le",
                                                                                    "utf-16-be"))
_DTD_OVERLAP = max(map(len, _DTD_MARKERS))
# A cell that holds something (not self-closing) with its reference; element names may carry a prefix (x:c).
_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,7})([0-9]{1,10})"[^>]*(?<!/)>(?!</(?:\w+:)?c>)')
_ANY_VALUE_CELL = re.compile(rb"<(?:\w+:)?c(?:\s[^>]*)?(?<!/)>(?!</(?:\w+:)?c>)")
_TOKEN = re.compile(rb"<(?:\w+:)?(row|c)(\s[^>]*)?(/?)>(</(?:\w+:)?c>)?")
_REF_ATTR = re.compile(rb'\br="([A-Z]{0,7})([0-9]{0,10})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]*)"')
_HIDDEN_COL = re.compile(rb"<(?:\w+:)?col\s[^>]*>")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,7})\$?([0-9]{1,10})$")


def limits() -> tuple[int, float]:
    return (int(os.environ.get("RECON_MAX_UNCOMPRESSED_MB", MAX_UNCOMPRESSED_MB)) << 20,
            float(os.environ.get("RECON_MAX_RATIO", MAX_RATIO)))


def sheet_limits() -> tuple[int, int]:
    """(rows, columns) a sheet recon reads may span from A1."""
    return (int(os.environ.get("RECON_MAX_ROWS", MAX_ROWS)), int(os.environ.get("RECON_MAX_COLUMNS", MAX_COLUMNS)))


# --- the file --------------------------------------------------------------------------------------------


def what_it_is(mode: int) -> str | None:
    """``None`` for a regular file, else what it is: ``"a named pipe (FIFO)"``, ``"a folder"``, …"""
    if stat.S_ISREG(mode):
        return None
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a regular file"


def refuse_by_stat(path: Path) -> os.stat_result:
    """Stat ``path`` (following links) and refuse what recon must never open: a FIFO would block the open, a
    device or a link to /dev/zero never ends, a sparse 6 GB file would be read whole."""
    name = path.name
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise UnusableInput(name, "a symbolic link to a file that does not exist", "check the path") from None
        raise UnusableInput(name, "file not found", "check the path") from None
    except OSError as exc:
        raise UnusableInput(name, f"cannot be looked at ({_reason(exc)})", "check the path and its permissions") \
            from exc
    if kind := what_it_is(st.st_mode):
        link = "a symbolic link to " if os.path.islink(path) else "this is "
        raise UnusableInput(name, f"{link}{kind}, not a workbook file", "give the path of an .xlsx file")
    cap = max_file_bytes()
    if st.st_size > cap:
        raise UnusableInput(name, f"file of {st.st_size >> 20:,} MB (limit {cap >> 20:,} MB)",
                            "send the workbook itself, or raise RECON_MAX_FILE_MB if it is genuine")
    return st


def max_file_bytes() -> int:
    return int(os.environ.get("RECON_MAX_FILE_MB", MAX_FILE_MB)) << 20


def read_input(path: Path) -> bytes:
    """The bytes of one input file, read once and bounded; every refusal is an :class:`UnusableInput`.

    The file is opened non-blocking and checked again on the open descriptor, so a FIFO swapped in after the
    stat still cannot hang the read."""
    name = path.name
    refuse_by_stat(path)
    cap = max_file_bytes()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "rb", buffering=0) as fh:
            if kind := what_it_is(os.fstat(fd).st_mode):
                raise UnusableInput(name, f"this is {kind}, not a workbook file", "give the path of an .xlsx file")
            chunks, size = [], 0
            while chunk := fh.read(min(_CHUNK, cap + 1 - size)):
                chunks.append(chunk)
                size += len(chunk)
                if size > cap:
                    raise UnusableInput(name, f"file larger than {cap >> 20:,} MB",
                                        "send the workbook itself, or raise RECON_MAX_FILE_MB if it is genuine")
    except PermissionError as exc:
        raise UnusableInput(name, "permission denied: recon may not read this file",
                            "give read access to the file, or copy it somewhere readable") from exc
    except OSError as exc:
        raise UnusableInput(name, f"the file could not be read ({_reason(exc)})",
                            "copy the file again (the disk or network share may have failed)") from exc
    return b"".join(chunks)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


# --- the container ---------------------------------------------------------------------------------------


@dataclass
class SheetInfo:
    """What the XML says about one worksheet, before any grid is built.

    ``extent``: (rows, columns) from A1 to the farthest cell holding a value — measured, since the
    ``<dimension>`` it claims may be absent or understate (``dimension`` keeps the claim: python-calamine sizes
    its grid by the cells, not by it, so a generous claim alone is harmless); ``hidden``: 0-based indexes of hidden columns; ``tables``: names of its Excel tables."""

    part: str
    extent: tuple[int, int] = (0, 0)
    dimension: tuple[int, int] = (0, 0)
    hidden: frozenset[int] = frozenset()
    tables: tuple[str, ...] = ()
    last_cell: str = ""


@dataclass
class Container:
    """The checked workbook: sheet name → :class:`SheetInfo`, in workbook order."""

    sheets: dict[str, SheetInfo] = field(default_factory=dict)


def check_container(data: bytes | Path, name: str | None = None) -> Container:
    """Raise :class:`UnusableInput` for anything that is not a plausible, safe xlsx/xlsm; else what its XML
    says about its sheets. ``data`` is the file's bytes (a Path is read through :func:`read_input`)."""
    if isinstance(data, Path):
        name = name or data.name
        data = read_input(data)
    name = name or "workbook"
    head = data[:1 << 16]
    if head[:8] == OLE_MAGIC:
        # Excel wraps an encrypted xlsx in an OLE container with an "EncryptionInfo" stream.
        if "EncryptionInfo".encode("utf-16-le") in head:
            raise UnusableInput(name, "the workbook is password-protected (encrypted)",
                                "remove the password (File › Info › Protect Workbook) and send it again")
        raise UnusableInput(name, "this is an old Excel 97–2003 (.xls) file", FIX)
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        kind = {".csv": "a CSV file", ".xls": "an old .xls file", ".txt": "a text file"}.get(
            Path(name).suffix.lower(), "not an xlsx workbook (not a zip file)")
        raise UnusableInput(name, kind if kind.startswith("not") else f"this is {kind}, not an xlsx workbook",
                            FIX)
    max_bytes, max_ratio = limits()
    try:
        zf = zipfile.ZipFile(buffer)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnusableInput(name, f"damaged or truncated zip ({exc})", FIX) from exc
    with zf:  # one open for every check: on a thousand workbooks a second central-directory read shows
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if "content.xml" in names and "mimetype" in names:
            raise UnusableInput(name, "this is an OpenDocument (.ods) spreadsheet", "in LibreOffice Calc choose "
                                "File › Save As… › 'Excel 2007-365 (.xlsx)' (or save it from Excel as 'Excel "
                                "Workbook (.xlsx)')")
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise UnusableInput(name, "zip file without an Excel workbook inside", FIX)
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if total > max_bytes:
            raise UnusableInput(name, f"workbook would expand to {total >> 20} MB (limit {max_bytes >> 20} MB)",
                                "split the workbook, or raise RECON_MAX_UNCOMPRESSED_MB if it is genuine")
        worst = max(infos, key=lambda i: i.file_size / max(i.compress_size, 1))
        ratio = worst.file_size / max(worst.compress_size, 1)
        if ratio > max_ratio and worst.file_size > (1 << 20) or total / packed > max_ratio and total > (8 << 20):
            raise UnusableInput(name, f"suspicious compression ratio {ratio:.0f}:1 in {worst.filename} (a zip "
                                "bomb?)", "re-save the workbook from Excel, or raise RECON_MAX_RATIO if genuine")
        return _scan(zf, name, infos)


def _scan(zf: zipfile.ZipFile, name: str, infos: list[zipfile.ZipInfo]) -> Container:
    """Stream every part once: refuse a DTD anywhere; measure each worksheet."""
    try:
        sheet_parts = _sheet_parts(zf, name)
    except UnusableInput as exc:
        raise UnusableInput(name, exc.problem, exc.fix) from exc
    except Exception:  # no readable workbook.xml: calamine will say so; the DTD scan still runs below
        sheet_parts = {}
    by_part = {part: sheet for sheet, part in sheet_parts.items()}
    measured: dict[str, SheetInfo] = {}
    for info in infos:
        sheet = by_part.get(info.filename)
        measure = _Measure() if sheet is not None else None
        try:
            with zf.open(info) as fh:
                tail, first = b"", True
                while chunk := fh.read(_CHUNK):
                    window = tail + chunk
                    if measure is not None and first and (window[:2] in (b"\xff\xfe", b"\xfe\xff") or
                                                          b"\x00" in window[:2]):
                        # Office writes UTF-8; a sheet in UTF-16 could hide its cells from the measure.
                        raise UnusableInput(name, f"{info.filename} is not UTF-8 XML", "re-save the workbook "
                                            "from Excel")
                    first = False
                    if (b"<!" in window or b"\x00!" in window) and any(m in window for m in _DTD_MARKERS):
                        raise UnusableInput(name, f"{info.filename} declares XML entities (an entity bomb?)",
                                            "re-save the workbook from Excel")
                    if measure is not None:
                        # Whole tags only: a tag never contains '<', so everything before the last '<' is
                        # complete; the rest waits for the next chunk.
                        cut = window.rfind(b"<")
                        cut = len(window) if cut < 0 else cut
                        measure.feed(window[:cut])
                        tail = window[cut:]
                    else:
                        tail = window[-_DTD_OVERLAP:]
                if measure is not None:
                    measure.feed(tail)
        except UnusableInput:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError) as exc:
            raise UnusableInput(name, f"damaged part {info.filename} ({exc})", FIX) from exc
        if measure is not None:
            measured[sheet] = SheetInfo(info.filename, (measure.rows, measure.cols), (measure.dim_rows,
                                        measure.dim_cols), frozenset(measure.hidden), last_cell=measure.last_cell())
    tables = _tables(zf, sheet_parts)
    out = Container()
    for sheet, part in sheet_parts.items():
        info = measured.get(sheet) or SheetInfo(part)
        info.tables = tables.get(sheet, ())
        out.sheets[sheet] = info
    return out


class _Measure:
    """The farthest value cell of one worksheet, fed whole tags in order.

    Exactness matters only near the limits, so the common case (every cell written ``<c r="B7"…``, as Excel,
    LibreOffice and openpyxl do) is settled by substring counts and one search for references beyond the
    limits; anything else is followed tag by tag."""

    def __init__(self):
        self.rows = self.cols = 0
        self.dim_rows = self.dim_cols = 0
        self.hidden: set[int] = set()
        self.positional = False  # some cell or row without an r="…": count positions instead
        self.row = self.col = 0
        max_rows, max_cols = sheet_limits()
        self.max_rows, self.max_cols = max_rows, max_cols
        # Any cell tag other than <c r="…"> with a reference surely within the limits (fewer letters than the
        # column limit's, fewer digits than the row limit's): its chunk is then measured exactly.
        self._unusual = re.compile(rb'<c(?=[\s>/])(?! r="[A-Z]{1,%d}[0-9]{1,%d}")'
                                   % (max(len(get_column_letter(max_cols)) - 1, 0), max(len(str(max_rows)) - 1, 0)))
        self.prefixed = None  # <x:worksheet>: prefixed tags are always measured exactly

    def feed(self, xml: bytes) -> None:
        if not xml:
            return
        if not self.dim_rows and (m := _DIMENSION.search(xml)):
            end = m.group(1).decode("ascii", "replace").split(":")[-1]
            if r := _CELL_REF.match(end):
                self.dim_rows, self.dim_cols = max(self.dim_rows, int(r[2])), max(self.dim_cols, _col(r[1]))
        if b"<col" in xml or b":col" in xml:
            for tag in _HIDDEN_COL.findall(xml):
                if re.search(rb'\bhidden="(1|true)"', tag):
                    lo = re.search(rb'\bmin="(\d+)"', tag)
                    hi = re.search(rb'\bmax="(\d+)"', tag)
                    if lo and hi and int(hi[1]) - int(lo[1]) < 20_000:
                        self.hidden.update(range(int(lo[1]) - 1, int(hi[1])))
        if self.prefixed is None:
            self.prefixed = b":worksheet" in xml and b"<worksheet" not in xml
        if not self.positional and not self.prefixed and not self._unusual.search(xml):
            # Every cell plainly within the limits: an estimate of the extent is enough (the last cell's row
            # — cells come in order — and the dimension's columns, both capped at the limits).
            last = xml.rfind(b'<c r="')
            if last >= 0 and (ref := _REF_ATTR.match(xml, last + 3)) and ref[2]:
                self.rows = max(self.rows, min(int(ref[2]), self.max_rows))
            self.cols = max(self.cols, min(self.dim_cols, self.max_cols))
            return
        cells = _VALUE_CELL.findall(xml)
        if not self.positional and len(cells) == len(_ANY_VALUE_CELL.findall(xml)):
            if cells:
                self.rows = max(self.rows, max(map(int, {r for _c, r in cells})))
                self.cols = max(self.cols, max(_col(c.decode()) for c in {c for c, _r in cells}))
            return
        if not self.positional:
            self.positional, self.row = True, self.rows  # positions continue from at most the farthest row
        # rare: a writer that leaves out references; follow positions tag by tag
        for tag, attrs, closed, empty in _TOKEN.findall(xml):
            ref = _REF_ATTR.search(attrs or b"")
            if tag == b"row":
                self.row = int(ref[2]) if ref and ref[2] else self.row + 1
                self.col = 0
                continue
            if ref and ref[1]:
                self.col = _col(ref[1].decode())
                if ref[2]:
                    self.row = int(ref[2])
            else:
                self.col += 1
            if not closed and not empty:
                self.rows, self.cols = max(self.rows, self.row or 1), max(self.cols, self.col)

    def last_cell(self) -> str:
        return f"{get_column_letter(self.cols)}{self.rows}" if self.rows and self.cols else ""


def _col(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def get_column_letter(index: int) -> str:
    """``1`` → ``"A"``, ``28`` → ``"AB"``: openpyxl's ``get_column_letter``, for the modules that read. Importing
    openpyxl runs its whole package (the workbook model, its readers and writers), a cost the guard and the
    reader (each reader process) would pay for this one function; modules that import openpyxl anyway use
    openpyxl's."""
    out = ""
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_STRICT = {"http://purl.oclc.org/ooxml/spreadsheetml/main": _NS_MAIN,
           "http://purl.oclc.org/ooxml/officeDocument/relationships": _NS_REL}


def _xml(zf: zipfile.ZipFile, part: str):
    from defusedxml import ElementTree

    data = zf.read(part)
    if any(m in data for m in _DTD_MARKERS):
        raise UnusableInput("", f"{part} declares XML entities (an entity bomb?)", "re-save the workbook from Excel")
    return ElementTree.fromstring(data)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el, local: str) -> str | None:
    """A namespaced attribute by local name: ``r:id`` in transitional or strict OOXML."""
    for key, value in el.attrib.items():
        if key.startswith("{") and _local(key) == local:
            return value
    return None


def _target(base: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(
        posixpath.dirname(base), target))


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    rels_part = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    try:
        root = _xml(zf, rels_part)
    except KeyError:
        return {}
    return {r.get("Id"): _target(part, r.get("Target") or "") for r in root if _local(r.tag) == "Relationship"}


def _sheet_parts(zf: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Sheet name → its XML part, in workbook order (what python-calamine will read)."""
    book = _workbook_part(zf)
    root = _xml(zf, book)
    targets = _rels(zf, book)
    out = {}
    for el in root.iter():
        if _local(el.tag) == "sheet" and (rid := _attr(el, "id")) in targets:
            out[el.get("name") or ""] = targets[rid]
    return out


def _workbook_part(zf: zipfile.ZipFile) -> str:
    """The main part named by the package relationships (``xl/workbook.xml`` as Excel writes it)."""
    try:
        root = _xml(zf, "_rels/.rels")
    except KeyError:
        return "xl/workbook.xml"
    for r in root:
        if (r.get("Type") or "").endswith("/officeDocument"):
            return _target("", r.get("Target") or "")
    return "xl/workbook.xml"


def _tables(zf: zipfile.ZipFile, sheet_parts: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Sheet name → names of the Excel tables on it (the template's Entries holds ``EntriesTable``)."""
    out = {}
    for sheet, part in sheet_parts.items():
        names = []
        try:
            for target in _rels(zf, part).values():
                if "/tables/" in target and target in zf.NameToInfo:
                    table = _xml(zf, target)
                    names += [n for n in (table.get("name"), table.get("displayName")) if n]
        except Exception:  # a damaged table part: the sheet is still read, just not recognised by its table
            names = []
        out[sheet] = tuple(dict.fromkeys(names))
    return out


def check_extent(container: Container | None, sheet: str, name: str) -> None:
    """Refuse, in one line, a sheet whose grid from A1 would exceed the limits (before calamine builds it)."""
    info = container.sheets.get(sheet) if container else None
    if info is None:
        return
    rows, cols = info.extent
    max_rows, max_cols = sheet_limits()
    if rows > max_rows or cols > max_cols:
        raise UnusableInput(
            name, f"the sheet reaches cell {info.last_cell} ({cols:,} columns × {rows:,} rows; recon reads at most "
            f"{max_cols:,} columns × {max_rows:,} rows)",
            "delete the stray cells far below or right of the table (Ctrl+End shows the last one) and save again",
            sheet, info.last_cell)
