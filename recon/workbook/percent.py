"""Pie-chart labels as people type them, read as the person sees them.

An office types the label printed beside a slice: ``11.9``, the text ``"11.9"``, ``"11.9%"``, ``"11,9"`` (a
decimal comma), or — in a cell Excel formats as a percentage — the number ``0.119`` that shows as
``11.9 %``. All of them are the label ``"11.9"``: a text with its printed precision, because ``9`` and
``9.0`` claim different precisions. For a percent-formatted number the precision is the number of decimals
of its number format (``0.0%`` → 1), which python-calamine does not expose: :func:`number_formats` reads the
style of just those cells from the sheet XML and ``xl/styles.xml``, without loading the workbook in openpyxl.

>>> [percent_label(v).text for v in (11.9, "11.9", "11.9%", "11,9 %", 9.0)]
['11.9', '11.9', '11.9', '11.9', '9']
>>> percent_label(0.119, "0.0%").text, percent_label(0.11875, "0.00%").text
('11.9', '11.88')
>>> percent_label("about 12").text, percent_label("about 12").kind
(None, 'unreadable')
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

from recon.appeal.vocabulary import clean_text

_LABEL = re.compile(r"^(\d+)(?:[.,](\d+))?$")
# Excel's built-in number formats that are percentages (ids 9 and 10 have no entry in styles.xml).
_BUILTIN_PERCENT = {9: "0%", 10: "0.00%"}
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass(frozen=True)
class PieLabel:
    """``text``: the label as printed, with ``.`` as the decimal mark (``"11.9"``), or None when blank or
    unreadable. ``kind``: ``blank``, ``number``, ``percent`` (a percent-formatted number), ``text`` (incl.
    ``"11.9%"`` and ``"11,9"``) or ``unreadable``."""

    text: str | None
    kind: str


def percent_label(value, number_format: str | None = None) -> PieLabel:
    """One pie % cell → :class:`PieLabel`; ``number_format`` is the cell's format code when known."""
    if value is None or value == "":
        return PieLabel(None, "blank")
    if isinstance(value, bool):
        return PieLabel(None, "unreadable")
    if isinstance(value, int | float):
        decimals = percent_decimals(number_format)
        if decimals is not None:  # shows as 11.9 % for 0.119: what the person sees is the label
            return PieLabel(f"{float(value) * 100:.{decimals}f}", "percent")
        v = float(value)
        return PieLabel(repr(v).removesuffix(".0") if v.is_integer() else f"{v:g}", "number")
    text = clean_text(str(value)).replace(" ", "").removesuffix("%").removeprefix("%")
    if not text:
        return PieLabel(None, "blank")
    m = _LABEL.match(text)
    if m is None:
        return PieLabel(None, "unreadable")
    return PieLabel(m[1] + (f".{m[2]}" if m[2] is not None else ""), "text")


def percent_decimals(number_format: str | None) -> int | None:
    """Decimals shown by a percentage number format, or None if it is not one: ``"0.0%"`` → 1,
    ``"0%"`` → 0, ``"#,##0.00 %"`` → 2, ``"General"`` → None. Quoted text and escapes are ignored."""
    if not number_format:
        return None
    code = re.sub(r'"[^"]*"|\\.', "", number_format.split(";")[0])
    if "%" not in code:
        return None
    _, _, frac = code.partition(".")
    return len(re.match(r"[0#?]*", frac)[0])


def number_formats(path: Path, sheet: str, cells: list[str]) -> dict[str, str]:
    """``{"C17": "0.0%"}``: the number format code of each of ``cells`` (A1 references) that has one."""
    if not cells:
        return {}
    from recon.workbook.cells import _sheet_part  # the sheet's part name in the zip, as for formulas

    try:
        with zipfile.ZipFile(path) as zf:
            part = _sheet_part(zf, sheet)
            if part is None:
                return {}
            xml = zf.read(part)
            styles = {}
            wanted = {}
            for cell in cells:
                start = xml.find(f'<c r="{cell}"'.encode())
                if start < 0:
                    continue
                attrs = xml[start:xml.find(b">", start)]
                if m := re.search(rb'\ss="(\d+)"', attrs):
                    wanted[cell] = int(m[1])
            if not wanted:
                return {}
            styles = _cell_formats(zf.read("xl/styles.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}
    return {cell: styles[s] for cell, s in wanted.items() if s < len(styles) and styles[s]}


def _cell_formats(styles_xml: bytes) -> list[str | None]:
    """Format code of each cell style (``cellXfs`` index → code)."""
    root = ElementTree.fromstring(styles_xml)
    custom = {int(f.get("numFmtId")): f.get("formatCode") for f in root.iter(f"{_NS}numFmt")}
    xfs = root.find(f"{_NS}cellXfs")
    out: list[str | None] = []
    for xf in (xfs if xfs is not None else []):
        fid = int(xf.get("numFmtId", "0"))
        out.append(custom.get(fid) or _BUILTIN_PERCENT.get(fid))
    return out
