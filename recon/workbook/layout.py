"""Where things live in a recon workbook: the contract between the template writer and the reader.

The reader finds columns by HXL hashtag first (the row under the headers), then by header text in any language
(any alias, case- and space-insensitive) rather than by position, so a header moved, renamed to an alias,
translated or pushed down by inserted rows is still found. The words themselves live in
:mod:`recon.workbook.words`; the names below are the English ones and recon's canonical internal values.
"""

from __future__ import annotations

from recon.workbook import words as W

_EN = W.words("en")

ENTRIES = W.ENTRIES
SUMMARY = W.SUMMARY
INSTRUCTIONS = _EN.instructions_sheet
META = W.META
LISTS = W.LISTS
FINDINGS = W.FINDINGS

# Canonical statuses: what recon stores whatever language the workbook is in.
STATUS_REQUIREMENT = _EN.status_requirement
STATUS_FUNDED = _EN.status_funded
STATUSES = (STATUS_REQUIREMENT, STATUS_FUNDED)
YES = _EN.yes

# Widths in characters: wide enough for the longest name of the lists ("UNSC resolution 1244-administered
# Kosovo") and, with the header row wrapped on two lines, for each header ("Intentional / duplicate").
_WIDTHS = {"country": 40, "area": 40, "amount": 22, "status": 14, "populations": 40, "source": 22, "notes": 50,
           "duplicate_ok": 13}
# field → (English header written by the template, other accepted headers in every language), width
ENTRY_COLUMNS: dict[str, tuple[str, tuple[str, ...], int]] = {
    f: (_EN.header(f), tuple(h for w in map(W.words, W.LANGUAGES) for h in (w.header(f), *w.headers[f][1])
                             if h != _EN.header(f)), width)
    for f, width in _WIDTHS.items()
}
REQUIRED_ENTRY_FIELDS = ("country", "area", "amount")
TABLE_NAME = "EntriesTable"

# Summary sheet: three tables found by the label in their first header cell.
COUNTRY_TABLE_LABEL = _EN.country_table[0]
AREA_TABLE_LABEL = _EN.area_table[0]
TOTAL_LABEL = _EN.total
# Columns of the summary tables, left to right. Published values are typed by the office; the others are
# formulas recon writes so that Excel shows mismatches without Python.
COUNTRY_TABLE_HEADERS = _EN.country_table
AREA_TABLE_HEADERS = _EN.area_table
CHECK_OK = _EN.check("ok")

META_LANGUAGE = "lang"  # the _meta key of the workbook's language: the template writes it, every reader reads it
META_KEYS = ("template_version", "edition_year", "region", "country", "revision", "office", "created_by", "lang")
