"""The rule suites as they are written: plain JSON in ``expectations/``, one file per concern — no GX here.

Each suite names the frame it asserts on (``meta.frame``: entries, countries, areas, regions); each
expectation's ``meta`` holds the rule id, a description and message templates. This module reads them once,
hashes them (the version a report prints) and gives the reconciliation maths its parameters — all without
importing pandas or Great Expectations, so a batch that nothing could be read from still says which rules it
would have run.

>>> load_suites().version                                             # doctest: +SKIP
'9a2a675e7c23'
>>> parameters(load_suites().data)                                    # doctest: +SKIP
{'rounding': 'half_up', 'percent_target': 100}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from recon.errors import RulesError

SUITES = ("entries", "country_totals", "area_totals", "pie_chart", "totals")


def default_dir() -> Path:
    """The suites recon ships with: the copy installed in the package, else the checkout's ``expectations/``."""
    from recon.shipped import shipped

    found = shipped("expectations")
    if found is None:
        raise RulesError("no expectations/ folder found; pass --rules DIR")
    return found


@dataclass(frozen=True)
class Suites:
    """The rule suites as read once from their folder: JSON, each file's SHA-256 and a short version hash
    of them all, e.g. ``Suites(directory, {"entries": {...}, ...}, {"entries": "9c0e…", ...}, "3f2a9c1b7e04")``.
    A report names what it ran with from here, without reading the folder again."""

    directory: Path
    data: dict[str, dict]  # "pie_chart" → {"name": ..., "meta": ..., "expectations": [...]}
    sha256: dict[str, str]
    version: str  # printed in reports


def load_suites(directory: Path | None = None) -> Suites:
    """Every suite of :data:`SUITES` from ``directory`` (default :func:`default_dir`); no GX import."""
    directory = Path(directory or default_dir())
    data, sha256, digest = {}, {}, hashlib.sha256()
    for name in SUITES:
        path = directory / f"{name}.json"
        try:
            raw = path.read_bytes()
            data[name] = json.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RulesError(f"{path}: cannot read rule suite ({exc})") from exc
        sha256[name] = hashlib.sha256(raw).hexdigest()
        digest.update(raw)
    return Suites(directory, data, sha256, digest.hexdigest()[:12])


def read_suites(directory: Path | None = None) -> dict[str, dict]:
    """The suites as JSON (no GX import): ``{"pie_chart": {"name": ..., "meta": ..., "expectations": [...]}}``."""
    return load_suites(directory).data


def parameters(suites: dict[str, dict]) -> dict:
    """Parameters of the reconciliation maths (rounding rule, 100 % target) from the pie-chart suite."""
    return dict(suites["pie_chart"].get("meta", {}).get("parameters", {}))


def rules_version(directory: Path | None = None) -> str:
    """A short hash of the suites' bytes, printed in reports: ``"3f2a9c1b7e04"``."""
    return load_suites(directory).version


def named_columns(node) -> set[str]:
    """Every column an expectation's kwargs (or a row condition) name: ``column``, ``column_A``/``_B``,
    ``column_list`` and a condition's ``{"column": {"name": ...}}``."""
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("column", "column_A", "column_B", "name") and isinstance(value, str):
                out.add(value)
            elif key == "column_list":
                out.update(value)
            else:
                out |= named_columns(value)
    elif isinstance(node, list):
        for item in node:
            out |= named_columns(item)
    return out


def suite_columns(data: dict) -> set[str]:
    """Every column a suite's expectations and row conditions name, plus ``row_id``."""
    cols = {"row_id"}
    for exp in data.get("expectations", []):
        cols |= named_columns(exp.get("kwargs", {}))
    return cols
