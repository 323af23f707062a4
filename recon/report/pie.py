"""Pie charts as inline SVG (no script, no external file), every text escaped.

>>> str(svg([{"label": "Migration Health", "value": 9.0, "text": "9", "colour": "#4e79a7", "marked": False}],
...         title="published"))[:4]
'<svg'

A marked slice (its printed label disagrees with the entries) is pulled out and outlined in dark red, so it
stands out on screen and in black-and-white print. A published chart whose labels sum to less than 100 %
shows the rest as a hatched "(no label)" slice.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from recon.language import decimal_text, gettext_in

# Colour-blind-friendly palette without red (red marks a mismatch); one colour per canonical area.
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")
OTHER = "#bab0ac"
MARK = "#a50000"
UNLABELLED = "unlabelled"  # drawn with a hatch pattern


def colour(area: str, areas: list[str]) -> str:
    """The area's colour, the same in every chart: by its place in the canonical list."""
    return PALETTE[areas.index(area) % len(PALETTE)] if area in areas else OTHER


def _point(cx: float, cy: float, r: float, angle: float) -> tuple[float, float]:
    # angle 0 at 12 o'clock, clockwise, as pie charts are read
    return cx + r * math.sin(angle), cy - r * math.cos(angle)


def svg(slices: list[dict], *, title: str, uid: str = "pie", size: int = 220, lang: str = "en") -> Markup:
    """``slices``: dicts with label, value (>= 0), text (drawn on the slice), colour, marked; ``uid`` makes
    the hatch pattern's id unique in a page holding many charts."""
    total = sum(s["value"] for s in slices if s["value"] > 0)
    c, r = size / 2, size / 2 - 14
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="pie" width="{size}" height="{size}" '
             f'viewBox="0 0 {size} {size}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>']
    if total <= 0:
        parts.append(f'<circle cx="{c}" cy="{c}" r="{r:.1f}" fill="#f4f4f4" stroke="#ccc"/>'
                     f'<text x="{c}" y="{c}" text-anchor="middle" class="empty">{escape(gettext_in(lang, "no data"))}</text></svg>')
        return Markup("".join(parts))
    start = 0.0
    labels = []
    for s in slices:
        if s["value"] <= 0:
            continue
        sweep = 2 * math.pi * s["value"] / total
        mid = start + sweep / 2
        dx, dy = (6 * math.sin(mid), -6 * math.cos(mid)) if s["marked"] else (0.0, 0.0)
        stroke = f'stroke="{MARK}" stroke-width="3"' if s["marked"] else 'stroke="#fff" stroke-width="1"'
        shown = decimal_text(s["text"], lang) if s["text"] else gettext_in(lang, "(no label)")
        tip = escape(f"{s['label']}: {shown} %")
        cls = "slice marked" if s["marked"] else "slice"
        fill = f"url(#{uid}-hatch)" if s["colour"] == UNLABELLED else s["colour"]
        if sweep >= 2 * math.pi - 1e-9:
            parts.append(f'<circle class="{cls}" cx="{c + dx:.2f}" cy="{c + dy:.2f}" r="{r:.1f}" '
                         f'fill="{fill}" {stroke}><title>{tip}</title></circle>')
        else:
            x1, y1 = _point(c + dx, c + dy, r, start)
            x2, y2 = _point(c + dx, c + dy, r, start + sweep)
            large = 1 if sweep > math.pi else 0
            parts.append(f'<path class="{cls}" d="M{c + dx:.2f},{c + dy:.2f} L{x1:.2f},{y1:.2f} '
                         f'A{r:.1f},{r:.1f} 0 {large} 1 {x2:.2f},{y2:.2f} Z" fill="{fill}" {stroke}>'
                         f"<title>{tip}</title></path>")
        if s["text"] and sweep > 0.22:  # ~3.5 %: smaller slices are read from the legend
            tx, ty = _point(c + dx, c + dy, r * 0.66, mid)
            labels.append(f'<text x="{tx:.1f}" y="{ty + 4:.1f}" text-anchor="middle" class="label">'
                          f"{escape(decimal_text(s['text'], lang))}</text>")
        start += sweep
    parts += labels
    parts.append("</svg>")
    return Markup("".join(parts))


def published_slices(pie: dict, areas: list[str], lang: str = "en") -> list[dict]:
    """Slices sized by the printed %; a shortfall below 100 % becomes a hatched, marked gap."""
    out = [{"label": s["name_printed"], "value": s["published_pct"] or 0.0, "text": s["published_text"],
            "colour": colour(s["area"], areas), "marked": s["marked"]}
           for s in pie["slices"] if s["published_pct"] is not None]
    shortfall = 100 - sum(s["value"] for s in out)
    if pie["published"] and shortfall > 0.5:  # rounding alone leaves at most a few tenths
        out.append({"label": gettext_in(lang, "(no label)"), "value": shortfall, "text": None, "colour": UNLABELLED,
                    "marked": True})
    return out


def computed_slices(pie: dict, areas: list[str]) -> list[dict]:
    """Slices sized by the USD the entries add up to, labelled at the printed precision."""
    return [{"label": s["name_printed"], "value": s["computed_usd"], "text": s["computed_text"],
             "colour": colour(s["area"], areas), "marked": s["marked"]} for s in pie["slices"]]
