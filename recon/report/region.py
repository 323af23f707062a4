"""One region's reconciliation as plain data for a page: the headline figures (:mod:`recon.report.headline`,
as ``recon reconcile`` prints them), the country and area tables published vs computed, the pie chart
(:func:`recon.report.record.pies`, as report.html draws it) and the region's findings.

>>> view(result, "East and Horn of Africa")["headline"]["gap"]             # doctest: +SKIP
0.0
"""

from __future__ import annotations

from recon.appeal.money import as_number as _num
from recon.report.headline import region_rows
from recon.report.record import pies


def _table(frame, region: str) -> list[dict]:
    by = "scope" if "scope" in frame.columns else "region"
    rows = []
    for r in frame[frame[by] == region].to_dict("records"):
        published, computed = _num(r["published_usd"]), _num(r["computed_usd"])
        rows.append({"name": r["name"], "name_printed": r["name_printed"] or r["name"],
                     "published_usd": published, "published_funded": bool(r["published_funded"]),
                     "computed_usd": computed, "entries": int(r["n_entries"]),
                     "gap": None if published is None or computed is None else published - computed})
    return rows


def view(result, region: str) -> dict | None:
    """``{"headline", "countries", "areas", "pie", "findings"}`` for ``region``, or None if nothing of it
    was reconciled."""
    headline = next((r for r in region_rows(result) if r["region"] == region), None)
    if headline is None:
        return None
    rec = result.reconciliation
    mine = [f for f in result.findings if f.region in (region, None)]  # "said": to say them in a page's language
    return {"headline": headline, "countries": _table(rec.countries, region), "areas": _table(rec.areas, region),
            "pie": next((p for p in pies(result) if p["region"] == region), None),
            "findings": [f.to_json() for f in mine], "said": mine}
