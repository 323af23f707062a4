"""Synthetic but valid submissions for the benchmark, written with recon's own template.

``python bench/generate.py --offices 150 --entries 1000`` writes one edition of 150 office workbooks
(10 regional offices — nine with a Summary sheet, plus Global — and 140 country offices) with 1,000 entries
each to ``bench/_work/o150-e1000-err0.01-s0/``. More offices than one edition holds (at most 150: the
vocabulary has 10 regions and 144 countries) become a multi-year archive: 1,000 offices are 8 editions
(2015–2022) of the same 125 offices. A set is generated once and reused (keyed by size, error share, seed
and generator version); generation runs on every core.

Every published figure in a Summary sheet is what the region's entries add up to, so a set with
``--errors 0`` reconciles clean; ``--errors 0.01`` injects a known mix of mistakes into 1 % of entries and
of published cells (listed in the set's ``manifest.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from math import floor
from pathlib import Path

from recon import TEMPLATE_VERSION
from recon.appeal.published import PublishedRow, PublishedSummary
from recon.appeal.vocabulary import GLOBAL, REGIONAL_PROGRAMMES, load
from recon.workbook import template

GENERATOR_VERSION = 1  # bump when the content changes: cached sets are rebuilt (as when TEMPLATE_VERSION does)
WORK = Path(__file__).resolve().parent / "_work"
MAX_OFFICES_PER_EDITION = 150
FIRST_YEAR = 2015
ENTRY_ERRORS = ("text_amount", "funded_with_amount", "missing_amount", "unknown_country", "country_variant",
                "unknown_area", "duplicate")
SUMMARY_ERRORS = ("wrong_country_usd", "wrong_area_usd", "wrong_pie_pct", "wrong_total")
NOTES = ("Figure confirmed with the country office budget unit.",
         "Multi-year programme; this line is the requirement for the edition year only.",
         "Joint programme with UN partners; IOM share only.",
         "Amount revised after the mid-year review.")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def set_dir(offices: int, entries: int, errors: float, seed: int) -> Path:
    return WORK / f"o{offices}-e{entries}-err{errors:g}-s{seed}"


def layout(offices: int) -> tuple[int, int]:
    """(editions, offices per edition): the fewest editions of equal size, each at most 150 offices.

    >>> layout(150), layout(1000)
    ((1, 150), (8, 125))
    """
    for editions in range(1, offices + 1):
        if offices % editions == 0 and offices // editions <= MAX_OFFICES_PER_EDITION:
            return editions, offices // editions
    raise AssertionError("unreachable")


def edition_offices(k: int) -> list[tuple[str, str | None]]:
    """The first ``k`` offices of an edition: every regional office, then country offices round-robin over
    the regions (so each regional office keeps countries of its own): ``[("Global", None), ...]``."""
    vocab = load()
    regions = list(vocab.regions.values())
    out: list[tuple[str, str | None]] = [(r.name, None) for r in regions]
    countries = {r.name: [c for c in r.countries.names if c != REGIONAL_PROGRAMMES] for r in regions
                 if r.name != GLOBAL}
    depth = max(map(len, countries.values()))
    out += [(reg, cs[i]) for i in range(depth) for reg, cs in countries.items() if i < len(cs)]
    if k > len(out):
        raise ValueError(f"an edition holds at most {len(out)} offices")
    return out[:k]


def _entries(rng: random.Random, n: int, countries: list[str], areas: list[str], populations: list[str],
             year: int, office: str) -> list[dict]:
    """Clean entries (as the office means them): whole USD, ~3 % Funded lines without an amount."""
    rows, seen = [], set()
    for i in range(n):
        country, area = rng.choice(countries), rng.choice(areas)
        funded = rng.random() < 0.03
        key = (country, area)
        rows.append({
            "country": country, "area": area, "amount": None if funded else rng.randrange(2, 400) * 5_000,
            "status": "Funded" if funded else "Requirement",
            "populations": rng.sample(populations, rng.randint(1, 3)),
            "source": f"MI{year} {office} project {i + 1}",
            "notes": rng.choice(NOTES) if rng.random() < 0.2 else "",
            # 1,000 lines over a handful of (country, area) pairs: every repeat is a separate project line.
            "duplicate_ok": "Yes" if key in seen else "",
        })
        seen.add(key)
    return rows


def _inject(rng: random.Random, rows: list[dict], share: float, region: str, tally: Counter) -> list[dict]:
    """Typed mistakes in ``share`` of the rows; the published tables keep the intended figures."""
    vocab = load()
    variants = {c: v for c, v in vocab.regions[region].countries.variants.items()}  # variant → canonical
    variant_of = {canon: var for var, canon in variants.items()}
    out = []
    for row in rows:
        typed = dict(row)
        if rng.random() < share:
            kind = rng.choice(ENTRY_ERRORS)
            if kind == "text_amount" and typed["amount"] is not None:
                typed["amount"] = f"{typed['amount']:,} USD"
            elif kind == "funded_with_amount" and typed["amount"] is not None:
                typed["status"] = "Funded"  # the office meant Requirement: the amount is not counted
            elif kind == "missing_amount" and typed["amount"] is not None:
                typed["amount"] = None
            elif kind == "unknown_country":
                typed["country"] = "Atlantis"
            elif kind == "country_variant":
                typed["country"] = variant_of.get(typed["country"], typed["country"].upper())
            elif kind == "unknown_area":
                typed["area"] = "Miscellaneous"
            elif kind == "duplicate":
                typed["duplicate_ok"] = ""
                out.append(dict(typed, source=typed["source"] + " (pasted twice)"))
            else:
                kind = None
            if kind:
                tally[kind] += 1
        out.append(typed)
    return out


def _half_up(share: Fraction, decimals: int) -> str:
    scaled = floor(share * 10 ** decimals + Fraction(1, 2))
    whole, part = divmod(scaled, 10 ** decimals)
    return f"{whole}.{part:0{decimals}d}" if decimals else str(whole)


def _summary(rng: random.Random, region: str, rows: list[dict], share: float, tally: Counter) -> PublishedSummary:
    """What the region publishes, from the intended entries of every office of the region."""
    vocab = load()
    reg = vocab.regions[region]
    by_country: dict[str, int] = {}
    funded_only: set[str] = set()
    by_area = dict.fromkeys(vocab.areas.names, 0)
    for r in rows:
        if r["status"] == "Requirement":
            by_country[r["country"]] = by_country.get(r["country"], 0) + r["amount"]
            by_area[r["area"]] += r["amount"]
        else:
            funded_only.add(r["country"])
    total = sum(by_country.values())

    def wrong(kind: str) -> bool:
        hit = rng.random() < share
        if hit:
            tally[kind] += 1
        return hit

    countries = []
    for c in reg.countries.names:
        if c in by_country:
            v = by_country[c]
            countries.append(PublishedRow(c, v + 1_000_000 if wrong("wrong_country_usd") else v))
        elif c in funded_only:
            countries.append(PublishedRow(c, "funded"))
    areas = []
    for a, v in by_area.items():
        if not v:
            continue
        pct = _half_up(Fraction(v * 100, total), 1)
        if wrong("wrong_pie_pct"):
            pct = f"{float(pct) + 0.3:.1f}"
        areas.append(PublishedRow(a, v + 500_000 if wrong("wrong_area_usd") else v, pct))
    return PublishedSummary(region.upper(), countries, areas, total + 250_000 if wrong("wrong_total") else total)


def _region_task(args: tuple) -> dict:
    """All workbooks of one region in one edition (the regional Summary needs every office's entries)."""
    out_dir, year, region, offices, n_entries, share, seed = args
    vocab = load()
    rng = random.Random(f"{seed}-{year}-{region}")
    tally: Counter = Counter()
    reg = vocab.regions[region]
    own = [c for c in offices if c is not None]
    regional_countries = [c for c in reg.countries.names if c not in own] or [REGIONAL_PROGRAMMES]
    intended_all: list[dict] = []
    books: list[tuple[str | None, list[dict]]] = []
    for country in offices:
        countries = [country] if country else regional_countries
        rows = _entries(rng, n_entries, countries, vocab.areas.names, vocab.populations, year, country or region)
        intended_all += rows
        books.append((country, _inject(rng, rows, share, region, tally)))
    summary = _summary(rng, region, intended_all, share, tally) if reg.has_summary else None
    files = []
    for country, rows in books:
        name = f"{year}-{slug(region)}" + (f"-{slug(country)}" if country else "") + ".xlsx"
        wb = template.build(region, country, entries=rows, summary=None if country else summary,
                            edition_year=year, live_checks=False)  # see recon.workbook.livecheck
        template.write(wb, Path(out_dir) / name)
        files.append(name)
    return {"files": files, "entries": sum(len(r) for _c, r in books), "errors": dict(tally)}


def generate(offices: int, entries: int, errors: float = 0.01, seed: int = 0, workers: int | None = None,
             force: bool = False, quiet: bool = False) -> Path:
    """The folder of the set, generated unless a complete one is cached."""
    out = set_dir(offices, entries, errors, seed)
    manifest = out / "manifest.json"
    if manifest.exists() and not force:
        m = json.loads(manifest.read_text())
        if m.get("generator_version") == GENERATOR_VERSION and m.get("template_version") == TEMPLATE_VERSION:
            return out
    if out.exists():
        shutil.rmtree(out)
    tmp = out.with_name(out.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    editions, per_edition = layout(offices)
    chosen = edition_offices(per_edition)
    tasks = []
    for e in range(editions):
        for region in load().regions:
            offs = [c for r, c in chosen if r == region]
            if offs:
                tasks.append((str(tmp), FIRST_YEAR + e, region, offs, entries, errors, seed))
    tasks.sort(key=lambda t: -len(t[3]))  # biggest first: better packing on few cores
    started = time.perf_counter()
    files, n_entries, tally = [], 0, Counter()
    workers = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for i, res in enumerate(pool.map(_region_task, tasks), start=1):
            files += res["files"]
            n_entries += res["entries"]
            tally.update(res["errors"])
            if not quiet:
                print(f"\r  generated {len(files)}/{offices} workbooks ({i}/{len(tasks)} tasks, "
                      f"{time.perf_counter() - started:.0f} s)", end="", file=sys.stderr, flush=True)
    if not quiet:
        print(file=sys.stderr)
    info = {
        "generator_version": GENERATOR_VERSION, "template_version": TEMPLATE_VERSION, "offices": offices, "entries_per_office": entries,
        "error_share": errors, "seed": seed, "editions": editions, "offices_per_edition": per_edition,
        "years": [FIRST_YEAR, FIRST_YEAR + editions - 1], "workbooks": len(files), "entries": n_entries,
        "injected": dict(sorted(tally.items())), "seconds": round(time.perf_counter() - started, 1),
        "bytes": sum(f.stat().st_size for f in tmp.glob("*.xlsx")),
    }
    (tmp / "manifest.json").write_text(json.dumps(info, indent=1))
    tmp.rename(out)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--offices", type=int, default=150)
    ap.add_argument("--entries", type=int, default=1000, help="entries per office workbook")
    ap.add_argument("--errors", type=float, default=0.01, help="share of entries and published cells with a "
                    "mistake (default 0.01)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--force", action="store_true", help="regenerate even if cached")
    a = ap.parse_args(argv)
    out = generate(a.offices, a.entries, a.errors, a.seed, a.workers, a.force)
    print(out)
    print((out / "manifest.json").read_text())


if __name__ == "__main__":
    main()
