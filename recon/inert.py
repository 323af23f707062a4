r"""Workbook text made inert for every output: spreadsheets, terminals, Markdown and one-line messages.

Text in a workbook is typed by someone recon does not control. Written out as it is, ``=1+1`` becomes a live
formula in a spreadsheet, an ESC or BEL character drives the reader's terminal, a newline in a file name
splits a one-line message, and XML refuses C0 characters outright (openpyxl's ``IllegalCharacterError``).
Every writer takes text through this module, so there is one definition of what is dangerous:

>>> cell("=1+1"), cell("@sum(1+1)"), cell("Kenya"), cell(1200)
("'=1+1", "'@sum(1+1)", 'Kenya', 1200)
>>> line("evil\x1b[2J.xlsx\nrecon: all clear")
'evil\\x1b[2J.xlsx\\nrecon: all clear'
>>> text("a\x07b\nc")
'a\\x07b\nc'

Control characters are *escaped* (shown as ``\x1b``), never silently dropped, so a reader sees that the cell
held something odd. Rich markup is not interpreted anywhere: the terminal report passes workbook text as
:class:`rich.text.Text`, which rich never parses for ``[bold]`` or ``[link=…]``.
"""

from __future__ import annotations

import re

# Spreadsheet formula triggers (OWASP "CSV injection"): a cell starting with one of these may be evaluated.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional overrides/isolates that make a
# line display in another order than it is stored.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    if c == 0x0A:
        return "\\n"
    if c == 0x0D:
        return "\\r"
    if c == 0x09:
        return "\\t"
    return f"\\x{c:02x}" if c <= 0xFF else f"\\u{c:04x}"


def text(value: str) -> str:
    """Multi-line text (a cell comment, a Markdown paragraph): tab and newline kept, other controls escaped."""
    return _CONTROL.sub(_escape, value)


def line(value: object) -> str:
    """One line for a terminal or a message: every control character and line break escaped (``\\n``)."""
    return _CONTROL_OR_BREAK.sub(_escape, "" if value is None else str(value))


def cell(value):
    """A value for a CSV or XLSX cell: text has its controls escaped and, if a spreadsheet could run it as a
    formula, a leading apostrophe; numbers, dates and ``None`` are returned unchanged."""
    if not isinstance(value, str):
        return value
    value = text(value)
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
