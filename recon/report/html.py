"""report.html: one self-contained page — inline CSS and SVG, no script, no external request, A4 print.

Rendered with jinja2 with autoescape on, so every text that came from a workbook is escaped; the page's
Content-Security-Policy forbids scripts and every fetch besides inline images as a second line of defence.
"""

from __future__ import annotations

import jinja2

from recon.appeal.money import usd, usd_change
from recon.appeal.vocabulary import load
from recon.report import diff, pie


def signed(x) -> str:
    """A gap: ``"—"`` when there is none to compute, ``"0"`` when there is none, else signed."""
    return "—" if x is None else ("0" if x == 0 else usd_change(x))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("recon.report", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(usd=usd, signed=signed)
    env.globals.update(describe=diff.describe)
    return env


def render(record: dict) -> str:
    areas = load().areas.names
    charts = {}
    for i, p in enumerate(record["pies"]):
        charts[p["region"]] = {
            "published": pie.svg(pie.published_slices(p, areas), title=f"{p['region']}: pie chart as published",
                                 uid=f"p{i}") if p["published"] else None,
            "computed": pie.svg(pie.computed_slices(p, areas), title=f"{p['region']}: pie chart from the USD",
                                uid=f"c{i}"),
            "colours": {s["area"]: pie.colour(s["area"], areas) for s in p["slices"]},
        }
    pies = {p["region"]: p for p in record["pies"]}
    return _environment().get_template("report.html.j2").render(r=record, pies=pies, charts=charts)
