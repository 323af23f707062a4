"""Reading a USD amount the way offices type it.

>>> parse_amount("USD 1,200,000").value, parse_amount("1.200.000").value, parse_amount("1 200 000").value
(1200000.0, 1200000.0, 1200000.0)
>>> parse_amount("USD 1.2 million").value, parse_amount(" funded ").kind
(1200000.0, 'funded')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from recon.vocabulary import clean_text

_CURRENCY = re.compile(r"(?i)\b(usd|us\$|us dollars?|dollars?)\b|\$")
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mio": 1e6, "million": 1e6, "millions": 1e6,
          "bn": 1e9, "billion": 1e9}
_SCALED = re.compile(r"(?i)^(?P<num>[-+]?[\d.,]+)\s*(?P<scale>k|thousand|mn|mio|millions?|m|bn|billion)$")
_GROUPED = {  # thousands separator → pattern; decimals use the other mark
    ",": re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$"),
    ".": re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$"),
    " ": re.compile(r"^[-+]?\d{1,3}( \d{3})+([.,]\d+)?$"),
    "'": re.compile(r"^[-+]?\d{1,3}('\d{3})+(\.\d+)?$"),
}
_PLAIN = re.compile(r"^[-+]?(\d+([.,]\d+)?|\d*[.,]\d+)([eE][-+]?\d+)?$")
FUNDED_WORDS = {"funded", "fully funded", "financé", "financiado"}


@dataclass(frozen=True)
class Amount:
    """``kind``: ``number`` (a numeric cell), ``text`` (a number typed as text), ``funded`` ("Funded" in
    the amount column), ``blank`` or ``unreadable``. ``value`` is the USD figure when there is one."""

    value: float | None
    kind: str


def parse_amount(raw: object) -> Amount:
    if raw is None:
        return Amount(None, "blank")
    if isinstance(raw, bool):
        return Amount(None, "unreadable")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            return Amount(None, "unreadable")
        return Amount(float(raw), "number")
    text = clean_text(str(raw))
    if not text:
        return Amount(None, "blank")
    if text.casefold() in FUNDED_WORDS:
        return Amount(None, "funded")
    value = parse_number_text(text)
    return Amount(value, "text") if value is not None else Amount(None, "unreadable")


def parse_number_text(text: str) -> float | None:
    """``"1,200,000.50"`` → 1200000.5; ``"(500)"`` → None (ambiguous: not guessed)."""
    text = _CURRENCY.sub(" ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()
    text = re.sub(r"\s+", " ", text)
    scale = 1.0
    if m := _SCALED.match(text):
        text, scale = m["num"], _SCALE[m["scale"].lower()]
    for sep, pattern in _GROUPED.items():
        if pattern.match(text):
            decimal = "," if sep == "." else "."
            whole, _, frac = text.replace(sep, "").partition(decimal)
            return float(f"{whole}.{frac}" if frac else whole) * scale
    if _PLAIN.match(text):
        return float(text.replace(",", ".")) * scale
    return None
