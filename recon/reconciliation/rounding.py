"""Rounding of pie-chart percentages, in exact arithmetic so that a share of exactly 12.345 % is not
mistaken for 12.3449999… %.

>>> from fractions import Fraction as F
>>> float(half_up(F(3_900_000 * 100, 142_550_000), 1))       # 2.7359…
2.7
>>> [float(x) for x in largest_remainder([F(1, 3) * 100] * 3, 0)]
[34.0, 33.0, 33.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction


def half_up(x: Fraction, decimals: int) -> Fraction:
    """Round half away from zero, as Excel's ROUND and most people do: 2.85 → 2.9, 0.5 → 1."""
    scale = 10**decimals
    sign = -1 if x < 0 else 1
    return sign * Fraction(math.floor(abs(x) * scale + Fraction(1, 2)), scale)


def half_even(x: Fraction, decimals: int) -> Fraction:
    """Banker's rounding (Python's ``round``): 2.85 → 2.8, 0.5 → 0."""
    scale = 10**decimals
    return Fraction(round(x * scale), scale)


RULES: dict[str, Callable[[Fraction, int], Fraction]] = {"half_up": half_up, "half_even": half_even}


def _floored(shares: Sequence[Fraction], decimals: int, target: int):
    """Shares in units of the printed precision, rounded down, and how many units are missing to ``target``."""
    scale = 10**decimals
    scaled = [s * scale for s in shares]
    floors = [math.floor(s) for s in scaled]
    return scale, scaled, floors, target * scale - sum(floors)


def largest_remainder(shares: Sequence[Fraction], decimals: int, target: int = 100) -> list[Fraction]:
    """Round ``shares`` (in %) down to ``decimals``, then hand the units still missing to reach ``target``
    to the largest remainders (earliest first on ties) — what charting tools do to make slices sum to 100."""
    scale, scaled, floors, missing = _floored(shares, decimals, target)
    order = sorted(range(len(shares)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in order[: max(missing, 0)]:
        floors[i] += 1
    return [Fraction(f, scale) for f in floors]


def largest_remainder_range(shares: Sequence[Fraction], decimals: int,
                            target: int = 100) -> list[tuple[Fraction, Fraction]]:
    """Like :func:`largest_remainder`, but a slice tied with others for the last unit may get it or not:
    each slice gets its (lowest, highest) possible value. Three thirds at 0 decimals → (33, 34) each."""
    scale, scaled, floors, missing = _floored(shares, decimals, target)
    rema = [s - f for s, f in zip(scaled, floors, strict=True)]
    if missing <= 0:
        return [(Fraction(f, scale), Fraction(f, scale)) for f in floors]
    cut = sorted(rema, reverse=True)[min(missing, len(rema)) - 1]
    out = []
    for f, r in zip(floors, rema, strict=True):
        low = f + 1 if r > cut else f
        high = f + 1 if r >= cut else f
        out.append((Fraction(low, scale), Fraction(high, scale)))
    return out


def printed_decimals(text: str) -> int:
    """``"10.68"`` → 2, ``"9"`` → 0."""
    _, _, frac = text.partition(".")
    return len(frac)
