"""Checks on the file container before any XML is parsed: right format, no zip bomb.

An xlsx is a zip of XML parts. A hostile or broken one can claim gigabytes of XML in a few kilobytes; the
central directory tells us the uncompressed sizes up front, so we refuse before inflating anything.
Limits can be raised through the environment (``RECON_MAX_UNCOMPRESSED_MB``, ``RECON_MAX_RATIO``).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from recon.errors import UnusableInput

MAX_UNCOMPRESSED_MB = 512
MAX_RATIO = 200  # real xlsx sheets compress 5–20×; bombs reach 1000×
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and password-encrypted .xlsx
FIX = "save it from Excel as 'Excel Workbook (.xlsx)'"


def limits() -> tuple[int, float]:
    return (int(os.environ.get("RECON_MAX_UNCOMPRESSED_MB", MAX_UNCOMPRESSED_MB)) << 20,
            float(os.environ.get("RECON_MAX_RATIO", MAX_RATIO)))


def check_container(path: Path) -> None:
    """Raise :class:`UnusableInput` for anything that is not a plausible, safe xlsx/xlsm."""
    name = path.name
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if head[:8] == OLE_MAGIC:
        # Excel wraps an encrypted xlsx in an OLE container with an "EncryptionInfo" stream.
        if "EncryptionInfo".encode("utf-16-le") in head:
            raise UnusableInput(name, "the workbook is password-protected (encrypted)",
                                "remove the password (File › Info › Protect Workbook) and send it again")
        raise UnusableInput(name, "this is an old Excel 97–2003 (.xls) file", FIX)
    if not zipfile.is_zipfile(path):
        kind = {".csv": "a CSV file", ".xls": "an old .xls file", ".txt": "a text file"}.get(
            path.suffix.lower(), "not an xlsx workbook (not a zip file)")
        raise UnusableInput(name, kind if kind.startswith("not") else f"this is {kind}, not an xlsx workbook",
                            FIX)
    max_bytes, max_ratio = limits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
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
        _no_dtd(zf, name, infos)
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


def _no_dtd(zf: zipfile.ZipFile, name: str, infos: list[zipfile.ZipInfo]) -> None:
    """Office XML never declares a DTD; one that does is an entity bomb or an XXE attempt."""
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(4096)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
            raise UnusableInput(name, f"damaged part {info.filename} ({exc})", FIX) from exc
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise UnusableInput(name, f"{info.filename} declares XML entities (an entity bomb?)",
                                "re-save the workbook from Excel")
