"""report.html: one self-contained page — inline CSS and SVG, no script, no external request, A4 print.

Rendered with jinja2 with autoescape on, so every text that came from a workbook is escaped; the page's
Content-Security-Policy forbids scripts and every fetch besides inline images as a second line of defence.
Every word of the page is a msgid of recon's gettext catalogue (Jinja's i18n extension), said in the record's
``language``; figures are written as a reader of that language writes them (:func:`recon.language.number`).
"""

from __future__ import annotations

from functools import cache

import jinja2

from recon.appeal.vocabulary import load
from recon.language import decimal_text, in_language, n, number, said, signed, translations
from recon.report import diff, pie


@cache
def _environment(lang: str = "en") -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("recon.report", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True  # as babel.cfg extracts them
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.filters.update(usd=lambda x: number(x, lang), signed=lambda x: signed(x, lang),
                       number=lambda x: number(x, lang), pct_text=lambda t: decimal_text(t, lang),
                       said=lambda t: in_language(t, lang))
    env.globals.update(
        describe=diff.describe, lang=lang, kind=lambda k: diff.kind_in(k, lang),
        errors=lambda k: n(k, "{count:,} error", "{count:,} errors").said_in(lang),
        warnings=lambda k: n(k, "{count:,} warning", "{count:,} warnings").said_in(lang),
        infos=lambda k: n(k, "{count:,} info", "{count:,} info").said_in(lang))
    return env


def render(record: dict) -> str:
    lang = record.get("language", "en")
    areas = load().areas.names
    charts = {}
    for i, p in enumerate(record["pies"]):
        charts[p["region"]] = {
            "published": pie.svg(pie.published_slices(p, areas, lang), lang=lang, uid=f"p{i}",
                                 title=said("{region}: pie chart as published", region=p["region"]).said_in(lang))
            if p["published"] else None,
            "computed": pie.svg(pie.computed_slices(p, areas), lang=lang, uid=f"c{i}",
                                title=said("{region}: pie chart from the USD", region=p["region"]).said_in(lang)),
            "colours": {s["area"]: pie.colour(s["area"], areas) for s in p["slices"]},
        }
    pies = {p["region"]: p for p in record["pies"]}
    return _environment(lang).get_template("report.html.j2").render(r=record, pies=pies, charts=charts)
