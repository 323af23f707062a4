"""USD as recon writes it, and a value as a number or nothing: one formatter and one converter for every
report, the terminal, the diff, the web pages and the rules' messages.

>>> usd(1_500_000), usd(None), usd(float("nan")), usd_change(-250_000)
('1,500,000', '—', '—', '-250,000')
>>> as_number(3), as_number(float("nan")), as_number(None), as_number("3")
(3.0, None, None, None)

Text typed in a workbook is read by :func:`recon.workbook.amounts.parse_amount`; the numbers behind text recon
wrote itself (``"1,500,000"``) by :func:`recon.appeal.finding.number`.
"""

from __future__ import annotations

import math

BLANK = "—"  # shown for a missing amount


def missing(x) -> bool:
    """None or NaN (pandas' empty cell)."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def as_number(x) -> float | None:
    """A value from a frame or a JSON document → float, or None for a blank, NaN or text."""
    if missing(x) or isinstance(x, str):
        return None
    x = float(x)
    return None if math.isnan(x) else x


def usd(x) -> str:
    """Whole USD with thousands separators: ``1500000`` → ``"1,500,000"``; ``"—"`` when there is none."""
    return BLANK if missing(x) else f"{x:,.0f}"


def usd_change(x) -> str:
    """A change in USD, always signed: ``250000`` → ``"+250,000"``, ``0`` → ``"+0"``."""
    return f"{x:+,.0f}"
