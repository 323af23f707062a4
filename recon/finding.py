"""One type for every problem recon reports, whether found while reading or by a rule.

>>> f = Finding("ENTRY-AMOUNT-MISSING", "error", "East and Horn of Africa", "Kenya", "Migration Health",
...             expected="an amount in USD", actual="(blank)", location="ehoa.xlsx › Entries › C12",
...             message="Requirement entry has no amount", suggestion="Enter the amount or set Status to Funded")
>>> f.flat(("rule", "country"))
('ENTRY-AMOUNT-MISSING', 'Kenya')
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Severity(IntEnum):
    """Ordered so that sorting puts errors first."""

    error = 0
    warning = 1
    info = 2


SEVERITIES = tuple(s.name for s in Severity)
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
    location: str | None = None  # "file › sheet › cell"
    message: str = ""
    suggestion: str | None = None
    usd_at_stake: float = 0.0  # for ordering: the size of the gap or the amount concerned

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def flat(self, keys: tuple[str, ...] = ("rule", "severity", "country", "area", "location")) -> tuple:
        return tuple(getattr(self, k) for k in keys)

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in JSON_KEYS}


def sort_key(f: Finding) -> tuple:
    """Errors first, then the largest USD at stake, then by place so that output is stable."""
    return (Severity[f.severity], -abs(f.usd_at_stake or 0), f.region or "", f.location or "", f.rule)


def flatten(findings, keys=("rule", "severity", "country", "area", "location")) -> list[tuple]:
    """``[("PIE-SLICE-ADJUSTED", "warning", None, "Migration Policy and Research", "ehoa.xlsx › Summary › E19")]``"""
    return sorted(f.flat(keys) for f in findings)


def count_by_severity(findings) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts
