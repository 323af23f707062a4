"""Counts in words, singular or plural as English needs: ``n(1, "workbook")`` → ``"1 workbook"``.

>>> n(1, "workbook"), n(2, "workbook"), n(1, "entry", "entries"), n(0, "error")
('1 workbook', '2 workbooks', '1 entry', '0 errors')
"""

from __future__ import annotations


def n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"
