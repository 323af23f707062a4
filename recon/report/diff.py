"""What changed between two revisions of the appeal: entries, requirements and published tables.

Each side is a *snapshot* (:mod:`recon.reconciliation.snapshot`) — plain data that
:func:`recon.pipeline.revision` makes from a folder of workbooks or reads from a ``report.json`` (which stores
the same snapshot), so a revision can be compared with a report filed years earlier:

>>> d = compare(revision("revision-1/"), revision("revision-2/report.json"))      # doctest: +SKIP
>>> [(c["kind"], c["country"], c["old"], c["new"]) for c in d["changes"]]      # doctest: +SKIP
[('amount', 'Kenya', 1000000.0, 1200000.0), ('status', 'Somalia', 'Requirement', 'Funded')]

Entries are matched by (region, country, area). The same key may hold several entries (a country with two
projects in one area, rows marked *Intentional duplicate*), so within a key identical entries pair first and
the rest pair in workbook order; only what is left over is added or removed. ``changes`` lists the edits
themselves; ``requirement`` the totals they move (per region, country and area).
"""

from __future__ import annotations

from collections import defaultdict

from recon.appeal.money import as_number, usd, usd_change
from recon.inert import line
from recon.language import N_, gettext_in, said
from recon.workbook import layout as L

_num = as_number
# Kinds of change, in the order they are listed.
KINDS = ("entry-added", "entry-removed", "amount", "status", "summary-added", "summary-removed",
         "published-added", "published-removed", "published-usd", "published-funded", "published-percent",
         "published-total")


# ---------------------------------------------------------------------------------------------- comparing

def compare(old: dict, new: dict) -> dict:
    """Two snapshots → ``{"old", "new", "changes", "counts", "requirement"}`` (plain data)."""
    changes = _entry_changes(old["entries"], new["entries"]) + _published_changes(old["published"],
                                                                                   new["published"])
    changes.sort(key=lambda c: (c["region"] or "", KINDS.index(c["kind"]), c["country"] or "", c["area"] or "",
                                c["name"] or ""))
    counts = dict.fromkeys(KINDS, 0)
    for c in changes:
        counts[c["kind"]] += 1
    return {
        "old": {"label": old.get("label", ""), "inputs": old.get("inputs", [])},
        "new": {"label": new.get("label", ""), "inputs": new.get("inputs", [])},
        "changes": changes,
        "counts": {k: n for k, n in counts.items() if n},
        "requirement": _requirement(old["entries"], new["entries"]),
    }


def _change(kind: str, region: str, *, country=None, area=None, table=None, name=None, old=None, new=None,
            location_old=None, location_new=None) -> dict:
    return {"kind": kind, "region": region, "country": country, "area": area, "table": table, "name": name,
            "old": old, "new": new, "location_old": location_old, "location_new": location_new}


def _by_key(entries: list[dict]) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for e in entries:
        groups[(e["region"], e["country"], e["area"])].append(e)
    return groups


def _same(a: dict, b: dict) -> bool:
    return _num(a["amount"]) == _num(b["amount"]) and a["status"] == b["status"]


def _entry_changes(old: list[dict], new: list[dict]) -> list[dict]:
    before, after = _by_key(old), _by_key(new)
    out = []
    for key in sorted(set(before) | set(after), key=lambda k: tuple(map(str, k))):
        olds, news = list(before.get(key, [])), list(after.get(key, []))
        # Identical entries pair first, so an entry removed among duplicates is one removal, not a cascade.
        for o in list(olds):
            match = next((n for n in news if _same(o, n)), None)
            if match is not None:
                olds.remove(o)
                news.remove(match)
        region, country, area = key
        where = {"country": country, "area": area}
        for o, n in zip(olds, news, strict=False):
            if _num(o["amount"]) != _num(n["amount"]):
                out.append(_change("amount", region, **where, old=_num(o["amount"]), new=_num(n["amount"]),
                                   location_old=o["location"], location_new=n["location"]))
            if o["status"] != n["status"]:
                out.append(_change("status", region, **where, old=o["status"], new=n["status"],
                                   location_old=o["location"], location_new=n["location"]))
        for o in olds[len(news):]:
            out.append(_change("entry-removed", region, **where, old=_num(o["amount"]), location_old=o["location"]))
        for n in news[len(olds):]:
            out.append(_change("entry-added", region, **where, new=_num(n["amount"]), location_new=n["location"]))
    return out


def _published_changes(old: list[dict], new: list[dict]) -> list[dict]:
    before, after = {p["region"]: p for p in old}, {p["region"]: p for p in new}
    out = []
    for region in sorted(set(before) | set(after)):
        o, n = before.get(region), after.get(region)
        if o is None or n is None:
            kind = "summary-added" if o is None else "summary-removed"
            out.append(_change(kind, region, table="summary", location_old=o and o["total_location"],
                               location_new=n and n["total_location"]))
            continue
        if _num(o["total"]) != _num(n["total"]):
            out.append(_change("published-total", region, table="total", old=_num(o["total"]),
                               new=_num(n["total"]), location_old=o["total_location"],
                               location_new=n["total_location"]))
        for table, field in (("countries", "country"), ("areas", "area")):
            out += _table_changes(region, table, field, o[table], n[table])
    return out


def _table_changes(region: str, table: str, field: str, old: list[dict], new: list[dict]) -> list[dict]:
    def keyed(rows):  # (name, occurrence): a name printed twice in one table stays two rows
        seen: dict[str, int] = defaultdict(int)
        out = {}
        for r in rows:
            out[(r["name"], seen[r["name"]])] = r
            seen[r["name"]] += 1
        return out

    before, after = keyed(old), keyed(new)
    out = []
    for key in [k for k in before if k not in after] + [k for k in after if k not in before]:
        o, n = before.get(key), after.get(key)
        kind = "published-removed" if n is None else "published-added"
        row = o or n
        out.append(_change(kind, region, **{field: key[0]}, table=table, name=row["name_printed"],
                           old=o and o["usd"], new=n and n["usd"], location_old=o and o["location"],
                           location_new=n and n["location"]))
    for key in [k for k in before if k in after]:
        o, n = before[key], after[key]
        common = {field: key[0], "table": table, "name": n["name_printed"]}
        if _num(o["usd"]) != _num(n["usd"]):
            out.append(_change("published-usd", region, **common, old=_num(o["usd"]), new=_num(n["usd"]),
                               location_old=o["location"], location_new=n["location"]))
        if bool(o["funded"]) != bool(n["funded"]):
            out.append(_change("published-funded", region, **common, old=bool(o["funded"]),
                               new=bool(n["funded"]), location_old=o["location"], location_new=n["location"]))
        if table == "areas" and o.get("percent") != n.get("percent"):
            out.append(_change("published-percent", region, **common, old=o.get("percent"), new=n.get("percent"),
                               location_old=o.get("percent_location"), location_new=n.get("percent_location")))
    return out


def _requirement(old: list[dict], new: list[dict]) -> dict:
    """Requirement (USD of entries with Status Requirement) per region, country and area, old → new."""
    def sums(entries, key):
        out: dict[tuple, float] = defaultdict(float)
        for e in entries:
            amount = _num(e["amount"]) if e["status"] == L.STATUS_REQUIREMENT else None
            out[key(e)] += amount or 0.0
        return out

    def rows(key, names, every=False):
        a, b = sums(old, key), sums(new, key)
        out = []
        for k in sorted(set(a) | set(b), key=lambda k: tuple(map(str, k))):
            before, after = a.get(k, 0.0), b.get(k, 0.0)
            if every or before != after:
                out.append({**dict(zip(names, k, strict=True)), "old": before, "new": after,
                            "change": after - before})
        return out

    regions = rows(lambda e: (e["region"],), ("region",), every=True)
    total_old = sum(r["old"] for r in regions)
    total_new = sum(r["new"] for r in regions)
    return {
        "total": {"old": total_old, "new": total_new, "change": total_new - total_old},
        "regions": regions,
        "countries": rows(lambda e: (e["region"], e["country"]), ("region", "country")),
        "areas": rows(lambda e: (e["region"], e["area"]), ("region", "area")),
    }


# ---------------------------------------------------------------------------------------------- describing

# Each change's kind as a reader sees it (report.html's Kind column), msgids of the catalogue.
KIND_WORDS = {"amount": N_("amount"), "status": N_("status"), "entry-added": N_("entry added"),
         "entry-removed": N_("entry removed"), "summary-added": N_("summary added"),
         "summary-removed": N_("summary removed"), "published-total": N_("published total"),
         "published-percent": N_("published %"), "published-usd": N_("published USD"),
         "published-funded": N_("published as funded"), "published-added": N_("published row added"),
         "published-removed": N_("published row removed")}


def kind_in(kind: str, lang: str) -> str:
    """``("entry-added", "fr")`` → ``"entrée ajoutée"``; an unknown kind as it is."""
    return gettext_in(lang, KIND_WORDS[kind]) if kind in KIND_WORDS else kind


def describe(c: dict) -> str:
    """One line per change: ``"amount of Kenya · Migration Health: 1,000,000 → 1,200,000"`` — a
    :class:`recon.language.Text`, so a page or report says it in its own language."""
    what = " · ".join(x for x in (c["country"], c["area"]) if x) or c["region"]
    kind, old, new, name = c["kind"], c.get("old"), c.get("new"), c.get("name")
    if kind == "amount":
        return said("amount of {what}: {old:usd} → {new:usd}", what=what, old=old, new=new)
    if kind == "status":
        return said("status of {what}: {old} → {new}", what=what, old=old, new=new)
    if kind == "entry-added":
        return said("entry added: {what} ({new:usd})", what=what, new=new)
    if kind == "entry-removed":
        return said("entry removed: {what} ({old:usd})", what=what, old=old)
    if kind == "summary-added":
        return said("published summary added: {region}", region=c["region"])
    if kind == "summary-removed":
        return said("published summary removed: {region}", region=c["region"])
    if kind == "published-total":
        return said("published total: {old:usd} → {new:usd}", old=old, new=new)
    table = said("country table") if c["table"] == "countries" else said("area table")
    if kind == "published-percent":
        return said("pie chart % of {name}: {old} → {new}", name=name, old=old or said("(none)"),
                    new=new or said("(none)"))
    if kind == "published-usd":
        return said("{table} value of {name}: {old:usd} → {new:usd}", table=table, name=name, old=old, new=new)
    if kind == "published-funded":
        return said("{table}: {name} printed as funded: {old} → {new}", table=table, name=name, old=old, new=new)
    if kind == "published-added":
        return said("{name} added to the {table}", name=name, table=table)
    return said("{name} removed from the {table}", name=name, table=table)


def render(d: dict, console=None) -> None:
    """Print a diff: tables on a terminal, plain tab-separated lines when piped."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    total = d["requirement"]["total"]
    head = line(f"recon diff · {d['old']['label']} → {d['new']['label']} · {len(d['changes'])} changes · requirement "
            f"{usd(total['old'])} → {usd(total['new'])} ({usd_change(total['change'])})")
    regions = [r for r in d["requirement"]["regions"] if r["change"]]
    if not console.is_terminal:
        out = console.file
        print(head, file=out)
        for r in regions:
            print(f"{line(r['region'])}\t{usd(r['old'])}\t{usd(r['new'])}\t{usd_change(r['change'])}", file=out)
        for c in d["changes"]:
            print(line(f"{c['kind']:18} {c['region']}: {describe(c)}  [{c['location_new'] or c['location_old']}]"),
                  file=out)
        return
    console.print(Text(head, style="bold"))
    if regions:
        t = Table(box=box.SIMPLE_HEAVY, title="Requirement by region", title_justify="left")
        for col, just in (("Region", "left"), ("Old", "right"), ("New", "right"), ("Change", "right")):
            t.add_column(col, justify=just)
        for r in regions:
            t.add_row(Text(line(r["region"])), usd(r["old"]), usd(r["new"]),
                      Text(usd_change(r["change"]), style="red" if r["change"] > 0 else "green"))
        console.print(t)
    if not d["changes"]:
        console.print(Text("No changes.", style="green"))
        return
    t = Table(box=box.SIMPLE, title="Changes", title_justify="left")
    t.add_column("Kind")
    t.add_column("Region", overflow="fold", max_width=28)
    t.add_column("Change", overflow="fold", ratio=3)
    t.add_column("Location", overflow="fold", max_width=40)
    for c in d["changes"]:
        t.add_row(Text(line(c["kind"])), Text(line(c["region"])), Text(line(describe(c))),
                  Text(line(c["location_new"] or c["location_old"] or "")))
    console.print(t)
