"""Per-region headline figures shared by every report (terminal, JSON, HTML, XLSX).

>>> region_rows(result)[0]                                        # doctest: +SKIP
{'region': 'Asia and the Pacific', 'entries': 143, 'funded': 9, 'published_total': 233745000.0,
 'computed_total': 233745000.0, 'gap': 0.0, 'error': 0, 'warning': 4, 'info': 1}
"""

from __future__ import annotations

from recon.appeal.finding import count_by_severity
from recon.appeal.money import as_number

_num = as_number


def region_rows(result) -> list[dict]:
    rows = []
    by_region: dict[str | None, list] = {}  # one pass over the findings, not one per region
    for f in result.findings:
        by_region.setdefault(f.region, []).append(f)
    for r in result.reconciliation.regions.to_dict("records"):
        counts = count_by_severity(by_region.get(r["scope"], ()))
        published, computed = _num(r["published_total"]), _num(r["computed_total"])
        rows.append({
            "region": r["scope"], "edition": int(r["edition"]), "title": r["title"], "entries": int(r["n_entries"]),
            "funded": int(r["n_funded"]), "missing_amount": int(r["n_missing"]),
            "published_total": published, "computed_total": computed,
            "gap": None if published is None or computed is None else published - computed,
            **counts,
        })
    return rows


def input_rows(result) -> list[dict]:
    """Each workbook read, with its hash and row accounting (read = accepted + rejected)."""
    rows = [{"file": s.name, "region": s.region, "office": s.office, "revision": s.revision,
             "sha256": s.sha256, "rows_read": s.rows_read, "rows_accepted": s.rows_accepted,
             "rows_rejected": s.rows_rejected, "status": "read"} for s in result.submissions]
    rows += [{"file": e.file, "region": None, "office": None, "revision": None, "sha256": None,
              "rows_read": 0, "rows_accepted": 0, "rows_rejected": 0, "status": f"unusable: {e.problem}"}
             for e in result.unusable]
    return rows


def as_json(result) -> dict:
    """The ``--format json`` document of ``check`` and ``reconcile``."""
    return {
        "findings": [f.to_json() for f in result.findings],
        "regions": region_rows(result),
        "inputs": input_rows(result),
        "counts": count_by_severity(result.findings),
        "rules_version": result.rules_version,
    }
