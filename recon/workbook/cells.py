"""Cell-level structure python-calamine does not give: formulas and error values behind blank-looking cells.

calamine returns ``""`` both for an empty cell and for a formula whose result was never saved (files written
by scripts) or is an error (``#REF!``). For the few amount cells that read blank, we look at the sheet XML
itself — only those cells, without loading the workbook into openpyxl — to tell the user what is really
there.

>>> formula_cells(Path("kenya.xlsx"), "Entries", ["C7"])            # doctest: +SKIP
{'C7': ('formula', '=C5*2')}
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree

from recon.errors import UnusableInput

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    for s in book.iterfind("m:sheets/m:sheet", _NS):
        if s.get("name") == sheet:
            target = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return None


def formula_cells(source: Path | bytes, sheet: str, cells: list[str]) -> dict[str, tuple[str, str]]:
    """``{cell: ("formula", "=A1*2") | ("error", "#DIV/0!")}`` for those of ``cells`` that hold one.

    ``source``: the workbook's bytes as the guard checked them (a path is read through the guard)."""
    if not cells:
        return {}
    try:
        if isinstance(source, Path):
            from recon.workbook.guard import check_container, read_input

            source = read_input(source)
            check_container(source, "workbook")
        with zipfile.ZipFile(io.BytesIO(source)) as zf:
            part = _sheet_part(zf, sheet)
            if part is None:
                return {}
            xml = zf.read(part)  # bytes: a 500 KB sheet is searched, not decoded
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError, UnusableInput, ValueError):
        return {}
    found = {}
    for cell in cells:
        # bytes.find, not a regex from the top of the sheet for every cell: a workbook may have many blanks.
        start = xml.find(f'<c r="{cell}"'.encode())
        if start < 0:
            continue
        tag_end = xml.find(b">", start)
        attrs = xml[start:tag_end].decode("utf-8", errors="replace")
        body = "" if attrs.endswith("/") else \
            xml[tag_end + 1:xml.find(b"</c>", tag_end)].decode("utf-8", errors="replace")
        if f := re.search(r"<f[^>]*>(.*?)</f>", body, flags=re.S):
            found[cell] = ("formula", "=" + _unescape(f.group(1)))
        elif 't="e"' in attrs and (v := re.search(r"<v>(.*?)</v>", body)):
            found[cell] = ("error", _unescape(v.group(1)))
    return found


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
