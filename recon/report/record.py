"""report.json: the machine record of one validation run — and the data every other report renders.

What was checked (inputs with SHA-256, rule suites with their hashes, recon version, when), what was found
(findings, per-region totals, pie charts published vs computed), the raw Great Expectations results, and a
snapshot of entries and published tables so that ``recon diff`` can compare against it years later.
Validated by ``recon/data/report.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from fractions import Fraction
from importlib import resources
from pathlib import Path

from recon import __version__
from recon.appeal.finding import Severity, count_by_severity
from recon.appeal.location import Location
from recon.appeal.money import as_number
from recon.reconciliation import snapshot
from recon.reconciliation.rounding import half_up
from recon.report.headline import input_rows, region_rows

SCHEMA = "recon-report/1"
# Rules whose findings concern a pie slice (its label or its area's USD).
SLICE_RULES = ("PIE-", "AREA-")


def build(result, *, previous: dict | None = None, now: dt.datetime | None = None) -> dict:
    """The whole record as plain JSON-ready data; ``previous`` is a :func:`recon.report.diff.compare` result."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    inputs = _inputs(result)
    snap = snapshot.of(result.reconciliation)
    return {
        "schema": SCHEMA,
        "generated_at": now.isoformat().replace("+00:00", "Z"),
        "recon_version": __version__,
        "rules": _rules(result),
        "inputs": inputs,
        "counts": count_by_severity(result.findings),
        "exit_code": result.exit_code,
        "regions": [_clean(r) for r in region_rows(result)],
        "pies": pies(result),
        "findings": [{**f.to_json(), "usd_at_stake": _clean(f.usd_at_stake), **({"texts": t} if (t := f.texts())
                                                                                 else {})}
                     for f in result.findings],
        # The snapshot recon diff reads back: entries and published tables as compared between revisions.
        "entries": snap["entries"],
        "published": snap["published"],
        "previous": previous,
        "gx_results": _clean(result.results),
    }


def write(record: dict, path: Path) -> Path:
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    return path


def schema() -> dict:
    return json.loads(resources.files("recon.data").joinpath("report.schema.json").read_text(encoding="utf-8"))


def _clean(x):
    """NaN/inf → None (JSON has neither), recursively; numpy scalars → Python."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, str | bytes):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _sha256(path: Path) -> str | None:
    """SHA-256 of a file read through the guard: a FIFO, a device or an oversized file is not hashed."""
    from recon.errors import UnusableInput
    from recon.workbook.guard import read_input

    try:
        return hashlib.sha256(read_input(path)).hexdigest()
    except UnusableInput:
        return None


def _inputs(result) -> list[dict]:
    """Every workbook given, read or not, with its SHA-256 (an unusable file is hashed here)."""
    rows = input_rows(result)
    paths = {p.name: p for p in result.inputs}
    for r in rows:
        if not r["sha256"] and r["file"] in paths:
            r["sha256"] = _sha256(paths[r["file"]])
    return rows


def _rules(result) -> dict:
    """The suites the validation ran with, as it read them (``result.suites``)."""
    loaded = result.suites
    suites = [{"name": name, "sha256": loaded.sha256[name], "expectations": len(data.get("expectations", [])),
               "rules": [e.get("meta", {}).get("rule") for e in data.get("expectations", [])]}
              for name, data in loaded.data.items()]
    return {"version": result.rules_version, "suites": suites}


def _label(share: Fraction, decimals: int) -> str:
    return f"{float(half_up(share, decimals)):.{decimals}f}"


def pies(result) -> list[dict]:
    """Per region: each area's printed pie label beside the label its entries' USD give.

    The computed chart uses each area's share of the *computed* total (what the entries add up to), rounded
    half-up at the precision the slice was printed with. A slice is ``marked`` when the two labels differ
    (including a slice printed without a label, or labelled with nothing behind it).
    """
    rec = result.reconciliation
    # "scope" is the region, or "region · edition" when a batch holds several editions (as findings name it).
    by = "scope" if "scope" in rec.areas.columns else "region"
    totals = rec.regions.set_index(by if by in rec.regions.columns else "region")["computed_total"]
    worst: dict[tuple, str] = {}
    for f in result.findings:
        if f.area and f.rule.startswith(SLICE_RULES):
            key = (f.region, f.area)
            if key not in worst or Severity[f.severity] < Severity[worst[key]]:
                worst[key] = f.severity
    out = []
    for region, part in rec.areas.groupby(by, sort=False):
        rows = part.to_dict("records")
        published = any(isinstance(r["percent_text"], str) for r in rows)
        depth = max((int(r["decimals"]) for r in rows if not _nan(r["decimals"])), default=1)
        total = float(totals.get(region, 0) or 0)
        slices = []
        for r in rows:
            decimals = depth if _nan(r["decimals"]) else int(r["decimals"])
            computed_usd = float(r["computed_usd"] or 0)
            share = Fraction(computed_usd) * 100 / Fraction(total) if total else None
            computed_text = _label(share, decimals) if share is not None else None
            printed = r["percent_text"] if isinstance(r["percent_text"], str) else None
            if printed is None and computed_usd == 0:
                computed_text = None  # neither side has this slice
            marked = published and printed != computed_text
            slices.append({
                "area": r["name"], "name_printed": r["name_printed"] or r["name"],
                "published_text": printed, "published_pct": _num(r["published_pct"]),
                "published_usd": _num(r["published_usd"]), "computed_usd": computed_usd,
                "computed_pct": None if share is None else float(share), "computed_text": computed_text,
                "expected_text": None if _nan(r["expected_half_up"]) else f"{r['expected_half_up']:.{decimals}f}",
                "marked": bool(marked), "severity": worst.get((region, r["name"])),
                "location": str(r["cell_percent"]) if isinstance(r["cell_percent"], Location) else None,
            })
        out.append({"region": region, "published": published, "computed_total": total,
                    "marked": sum(s["marked"] for s in slices), "slices": slices})
    return out


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


_num = as_number
