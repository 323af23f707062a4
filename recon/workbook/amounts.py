"""Reading a USD amount the way offices type it.

>>> parse_amount("USD 1,200,000").value, parse_amount("1.200.000").value, parse_amount("1 200 000").value
(1200000.0, 1200000.0, 1200000.0)
>>> parse_amount("USD 1.2 million").value, parse_amount(" funded ").kind
(1200000.0, 'funded')
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from recon.appeal.vocabulary import clean_text
from recon.workbook.words import any_language

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
FUNDED_WORDS = any_language().funded_amount  # "funded", "Financé", "financiado"… casefolded, every language
# Beyond any real requirement (world GDP is ~1e14 USD), and far enough below float overflow that a million
# such amounts still add up: a larger value is refused where it is read, never summed.
MAX_USD = 1e15


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
        return Amount(float(raw), "number") if plausible(raw) else Amount(None, "absurd")
    text = clean_text(str(raw))
    if not text:
        return Amount(None, "blank")
    if text.casefold() in FUNDED_WORDS:
        return Amount(None, "funded")
    value = parse_number_text(text)
    if value is None:
        return Amount(None, "unreadable")
    return Amount(value, "text") if plausible(value) else Amount(None, "absurd")


def plausible(value: float) -> bool:
    """A finite number no larger than :data:`MAX_USD` either way: ``plausible(9e307)`` → False."""
    try:
        return math.isfinite(value) and -MAX_USD <= value <= MAX_USD
    except OverflowError:  # an int too large for a float
        return False


def decimal_comma(text: str) -> bool:
    """``"2,5"`` → True: a comma before one or two digits can only be a decimal mark, as in French or Spanish."""
    return bool(re.fullmatch(r"[-+]?\d+,\d{1,2}", clean_text(text)))


def describe_value(raw: object) -> str:
    """A cell value as a person would name it: ``date(2015, 3, 1)`` → ``"a date (1 March 2015)"``;
    text is quoted (``"'abc'"``), a number printed plainly."""
    if isinstance(raw, dt.datetime):
        when = f"{raw.day} {raw:%B} {raw.year}"
        return f"a date ({when})" if raw.time() == dt.time() else f"a date and time ({when} {raw:%H:%M})"
    if isinstance(raw, dt.date):
        return f"a date ({raw.day} {raw:%B} {raw.year})"
    if isinstance(raw, dt.time):
        return f"a time of day ({raw:%H:%M})"
    if isinstance(raw, dt.timedelta):
        return f"a duration ({raw})"
    if isinstance(raw, bool):
        return f"a TRUE/FALSE value ({str(raw).upper()})"
    if isinstance(raw, float):
        return "not a number (NaN)" if math.isnan(raw) else f"{raw:g}" if not raw.is_integer() or abs(raw) >= 1e16 \
            else f"{raw:,.0f}"
    if isinstance(raw, int):
        return f"{raw:,}"
    return repr(raw)


def usd_text(value: float) -> str:
    """``1200000.0`` → ``"1,200,000"``; ``2.5`` → ``"2.5"`` (never rounded away)."""
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.6f}".rstrip("0").rstrip(".")


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
