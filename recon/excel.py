"""Checking inside Excel through xlwings: the only module that imports xlwings (``pip install 'recon[excel]'``).

A button in the workbook runs ``RunPython "import recon.excel; recon.excel.main()"`` (Windows and macOS
desktop Excel, xlwings add-in). :func:`check_book` reads the open book through xlwings — the same reader and
rules as ``recon check`` — then clears the marks of the previous check, writes the Findings sheet and colours
the offending cells. It works on any xlwings Book, including ``xlwings.Book(json=...)`` (xlwings Server /
remote mode, whose queued actions ``book.json()`` the tests assert on).

>>> import xlwings as xw                                                  # doctest: +SKIP
>>> check_book(xw.Book(json=payload)).counts                              # doctest: +SKIP
{'error': 2, 'warning': 0, 'info': 0}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from recon import inert
from recon.appeal.finding import Finding, count_by_severity
from recon.workbook import annotate
from recon.workbook import layout as L


class BookSource:
    """A :class:`recon.workbook.read.SheetSource` over an open xlwings Book: values from A1 to the last used cell."""

    def __init__(self, book):
        self._book = book
        self.sheet_names = [s.name for s in book.sheets]

    def rows(self, sheet: str) -> list[list]:
        ws = self._book.sheets[sheet]
        last = ws.used_range.last_cell
        return ws.range((1, 1), (last.row, last.column)).options(ndim=2).value or []


@dataclass
class BookCheck:
    findings: list[Finding]
    marked: list[annotate.Mark] = field(default_factory=list)
    cleared: list[tuple[str, str]] = field(default_factory=list)  # cells the previous check had marked
    sheet: str = L.FINDINGS  # "Findings (recon)" when the office has a sheet named Findings of its own

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)


def findings_for(book) -> list[Finding]:
    """Every rule on the open book, as ``recon check`` runs them on a file (sorted the same way)."""
    from recon.errors import UnusableInput
    from recon.pipeline import run_submissions
    from recon.workbook.read import read_source

    try:
        subs, bad = [read_source(BookSource(book), Path(book.name))], []
    except UnusableInput as exc:
        subs, bad = [], [exc]
    return run_submissions(subs, bad).findings


def check_book(book) -> BookCheck:
    """Check ``book`` and write the result into it; running it twice leaves the same workbook."""
    findings = findings_for(book)
    names = [s.name for s in book.sheets]
    cleared = []
    source = BookSource(book)
    title, again = annotate.findings_sheet(names, lambda n: (source.rows(n) or [()])[0])
    if again:
        sheet = book.sheets[title]
        cleared = annotate.previous_marks(source.rows(title))
        for name, cell in cleared:
            if name in names and name != title:
                book.sheets[name].range(cell).color = annotate.base_fill(name, cell)
        sheet.clear()
    else:  # an office's own sheet named Findings is kept: recon's is then "Findings (recon)"
        sheet = book.sheets.add(title, after=book.sheets[len(names) - 1])

    lang = annotate.meta_language(source.rows(L.META) if L.META in names else None)  # the workbook's language
    marked = annotate.marks(findings, [n for n in names if n != title], lang)
    for m in marked:
        book.sheets[m.sheet].range(m.cell).color = m.fill

    rows = [[_text(v) for v in row] for row in annotate.findings_rows(findings, lang)]
    for f, row in zip(findings, rows[1:], strict=False):  # no findings: one row says so
        target = annotate.cell_of(f.location)
        if target and target[0] in names and target[0] != title:
            row[2] = annotate.hyperlink_formula(f.location, row[2])
    sheet.range("A1").value = rows
    sheet.range((1, 1), (1, len(annotate.HEADER))).font.bold = True
    for r, f in enumerate(findings, start=2):
        sheet.range((r, 1)).color = annotate.FILLS[f.severity]
    for col, width in enumerate(annotate.WIDTHS, start=1):
        sheet.range((1, col)).column_width = width
    return BookCheck(findings, marked, cleared, title)


def _text(value: str) -> str:
    """Text a finding quotes from a cell (``=cmd|...``) must not become a formula when Excel receives it."""
    return inert.cell(value)


def main() -> None:
    """Entry point for the workbook's button: ``RunPython "import recon.excel; recon.excel.main()"``."""
    import xlwings as xw

    book = xw.Book.caller()
    book.sheets[check_book(book).sheet].activate()
