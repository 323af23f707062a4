"""One type for every problem recon reports, whether found while reading or by a rule.

>>> f = Finding("ENTRY-AMOUNT-MISSING", "error", "East and Horn of Africa", "Kenya", "Migration Health",
...             expected="an amount in USD", actual="(blank)", location=Location("ehoa.xlsx", "Entries", "C12"),
...             message="Requirement entry has no amount", suggestion="Enter the amount or set Status to Funded")
>>> f.flat(("rule", "country", "location"))
('ENTRY-AMOUNT-MISSING', 'Kenya', 'ehoa.xlsx › Entries › C12')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from recon.appeal.location import Location, shown
from recon.language import DEFAULT, N_, Text, in_language


class Severity(IntEnum):
    """Ordered so that sorting puts errors first."""

    error = 0
    warning = 1
    info = 2


SEVERITIES = tuple(s.name for s in Severity)
SEVERITY_WORDS = (N_("error"), N_("warning"), N_("info"))  # the severities as msgids, for every language
SAYABLE = ("message", "suggestion", "expected", "actual")  # the fields that may be a Text
JSON_KEYS = ("rule", "severity", "region", "country", "area", "expected", "actual", "location", "message",
             "suggestion")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "error" | "warning" | "info"
    region: str | None = None
    country: str | None = None
    area: str | None = None
    expected: str | None = None
    actual: str | None = None
    location: Location | None = None
    message: str = ""
    suggestion: str | None = None
    usd_at_stake: float = 0.0  # for ordering: the size of the gap or the amount concerned

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def where(self) -> str | None:
        """The location as text (``"ehoa.xlsx › Entries › C12"``), None when there is none."""
        return None if self.location is None else str(self.location)

    def flat(self, keys: tuple[str, ...] = ("rule", "severity", "country", "area", "location")) -> tuple:
        """Plain values, the location as its text: what tests assert on."""
        return tuple(self.where if k == "location" else getattr(self, k) for k in keys)

    def to_json(self) -> dict:
        """The fields, plus ``expected_value``/``actual_value``: the number behind a formatted ``expected`` or
        ``actual`` (``"1,500,000"`` → 1500000.0, ``"28.6"`` → 28.6), or None when it is not a number."""
        out = {k: getattr(self, k) for k in JSON_KEYS}
        out["location"] = self.where
        out["expected_value"], out["actual_value"] = number(self.expected), number(self.actual)
        return out

    @property
    def params(self) -> dict:
        """The message's parameters, language-neutral: ``{"amount": -5.0}`` (empty for a plain message)."""
        return getattr(self.message, "params", {})

    def texts(self) -> dict:
        """Message and suggestion as msgid and parameters (:meth:`recon.language.Text.to_json`): what a
        stored finding needs to be said again in another language."""
        return {k: v.to_json() for k in SAYABLE if isinstance(v := getattr(self, k), Text)}

    def said_in(self, lang: str = DEFAULT) -> tuple[str, str | None]:
        """``(message, suggestion)`` in ``lang``: ``("montant négatif -5", "saisissez …")``."""
        return in_language(self.message, lang), in_language(self.suggestion, lang)

    def figures_in(self, lang: str = DEFAULT) -> tuple[str | None, str | None]:
        """``(expected, actual)`` in ``lang``: ``("un montant en USD", "(vide)")``, ``("1 500 000", "1 400 000")``."""
        return in_language(self.expected, lang), in_language(self.actual, lang)


def sort_key(f: Finding) -> tuple:
    """Errors first, then the largest USD at stake, then by place so that output is stable."""
    return (Severity[f.severity], -abs(f.usd_at_stake or 0), f.region or "", shown(f.location), f.rule)


def flatten(findings, keys=("rule", "severity", "country", "area", "location")) -> list[tuple]:
    """``[("PIE-SLICE-ADJUSTED", "warning", None, "Migration Policy and Research", "ehoa.xlsx › Summary › E19")]``"""
    return sorted(f.flat(keys) for f in findings)


def count_by_severity(findings) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


_FORMATTED = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")


def number(text: str | None) -> float | None:
    """``"1,500,000"`` → 1500000.0, ``"-5"`` → -5.0, ``"28.6"`` → 28.6, ``"(blank)"`` → None."""
    if not isinstance(text, str) or not _FORMATTED.match(text.strip()):
        return None
    return float(text.strip().removesuffix("%").replace(",", ""))
