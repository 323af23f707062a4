"""The deadline: every office uploads at once to ``recon serve`` on localhost, and nothing may be lost.

Builds one workbook per office in code with recon's own template — each of the 2015 edition's country offices
gets its own entries from ``workbooks/mi2015/`` as a country workbook, the regional offices their bundled
workbooks — adds the offices to a fresh archive, starts ``recon serve`` (one process, or two processes on the
same database and data folder, the clients split between them), and lets every office upload concurrently,
``--revisions`` times one after the other: revision 1 as in 2015, except every 5th office's has a blank amount
(an error) and every 12th sends something hostile (another office's workbook, or a CSV named .xlsx — refused
with its reason); then a corrected workbook. Measured:

- ``latency_ms``: upload to verdict, as the office sees it — the POST until the revision page with the
  findings has arrived (p50/p95);
- ``check_ms``: the server-side verdict as recorded on each revision;
- ``errors``: requests that failed, verdicts other than expected, revision numbers not exactly 1..n per office
  (any is a bug: every upload is stored or refused with its reason);
- ``peak_rss_mb``: the server processes' peak resident memory (polled every 0.25 s), each and summed.

    python bench/deadline.py --offices 10 --revisions 1               # a quick try, SQLite, one server
    python bench/deadline.py --db postgresql --servers 2               # 150 offices, PostgreSQL, two servers
    python bench/deadline.py --matrix                                  # SQLite and PostgreSQL × 1 and 2 servers

``RECON_SPEED`` in the environment applies to the servers as to any ``recon serve`` (unset: its default).
PostgreSQL is a throwaway cluster (``tests/postgres.py``: Debian's binaries, run as the postgres user when root).
Prints one JSON object per configuration and saves them in ``bench/results/deadline-<time>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from serving import serving

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MI2015 = REPO / "workbooks" / "mi2015"


@dataclass
class Office:
    region: str
    country: str | None
    uploads: list[tuple[str, Path]] = field(default_factory=list)  # (expected status, file), in order
    link: str = ""
    id: int = 0
    rows: list[dict] | None = None  # a country office's entries; None for a regional office
    regional: Path | None = None  # a regional office's bundled workbook


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile: ``pct([1, 2, 3, 4], 0.95)`` → 4."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p * len(ordered) + 0.5) - 1))]


def summary(values: list[float]) -> dict:
    if not values:
        return {}
    return {"p50": round(statistics.median(values)), "p95": round(pct(values, 0.95)), "max": round(max(values))}


# ------------------------------------------------------------------------------------------ workbooks

def build_offices(folder: Path, count: int, revisions: int) -> list[Office]:
    """``count`` offices (country offices of 2015 first, then regional offices), each with its uploads."""
    from recon import pipeline
    from recon.reconciliation.reconcile import reconcile
    from recon.workbook import template

    files = sorted(p for p in MI2015.glob("*.xlsx") if p.name != "global.xlsx")
    subs, _bad = pipeline.read_all(files, workers=1)
    entries = reconcile(subs).entries
    rows = entries[(entries.country != "Regional Programmes") & (entries.country_known == 1)
                   & (entries.area_known == 1)]
    offices: list[Office] = []
    for (region, country), group in rows.groupby(["region", "country"], observed=True, sort=True):
        if len(group):
            office = Office(str(region), str(country))
            office.rows = [{"area": str(r.area), "amount": None if r.status == "Funded" or r.amount != r.amount else int(r.amount),
                            "status": str(r.status)} for r in group.itertuples()]
            offices.append(office)
    for sub, path in zip(subs, files, strict=True):
        offices.append(Office(sub.region, None, regional=path))
    offices = offices[:count]
    folder.mkdir(parents=True, exist_ok=True)

    def book(office: Office, name: str, change: int = 0, blank: bool = False) -> Path:
        out = folder / f"{name}.xlsx"
        if office.rows is None:  # a regional office: its bundled workbook, as published
            out.write_bytes(office.regional.read_bytes())
            return out
        rows = [dict(r) for r in office.rows]
        first = next((r for r in rows if r["amount"] is not None), None)
        if first is not None:
            first["amount"] = None if blank else first["amount"] + change
        if blank and first is not None:
            first["status"] = "Requirement"
        wb = template.build(office.region, office.country, entries=rows, revision=1 + change // 1000)
        return template.write(wb, out)

    for i, office in enumerate(offices):
        slug = f"{i:03d}"
        if i % 12 == 11 and i > 0:
            if i % 24 == 23:
                bad = folder / f"{slug}-notes.xlsx"
                bad.write_text("country,area,amount\nKenya,Migration Health,1000\n")
                office.uploads.append(("refused", bad))
            else:
                office.uploads.append(("refused", offices[i - 1].uploads[0][1]))  # the previous office's
        elif i % 5 == 4 and office.rows is not None:
            office.uploads.append(("accepted-with-errors", book(office, f"{slug}-r1", blank=True)))
        else:
            office.uploads.append(("accepted", book(office, f"{slug}-r1")))
        for r in range(2, revisions + 1):
            office.uploads.append(("accepted", book(office, f"{slug}-r{r}", change=1000 * (r - 1))))
    return offices


# ------------------------------------------------------------------------------------------- servers

class Memory(threading.Thread):
    """Peak VmRSS of some processes, polled every 0.25 s."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.peak, self.peak_sum, self.done = pids, dict.fromkeys(pids, 0), 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            total = 0
            for pid in self.pids:
                with contextlib.suppress(OSError, ValueError, StopIteration):
                    text = Path(f"/proc/{pid}/status").read_text()
                    kb = int(next(line for line in text.splitlines() if line.startswith("VmRSS")).split()[1])
                    self.peak[pid] = max(self.peak[pid], kb)
                    total += kb
            self.peak_sum = max(self.peak_sum, total)


@contextlib.contextmanager
def database(kind: str):
    if kind == "sqlite":
        yield None
        return
    sys.path.insert(0, str(REPO / "tests"))
    from postgres import cluster

    with cluster() as url:
        yield url


# -------------------------------------------------------------------------------------------- the run

def office_uploads(office: Office, base: str, timeout: float) -> list[dict]:
    """One office's browser: open the link, then each upload in turn → one record per upload."""
    import httpx

    out = []
    with httpx.Client(base_url=base, timeout=timeout) as client:
        page = client.get(office.link, follow_redirects=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        action = f"/offices/{office.id}/upload"
        for expected, path in office.uploads:
            started = time.perf_counter()
            try:
                r = client.post(action, data={"csrf_token": token}, files={"workbook": (path.name, path.read_bytes())})
                if r.status_code != 303:
                    raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")
                verdict = client.get(r.headers["location"])
                if verdict.status_code != 200:
                    raise RuntimeError(f"verdict page HTTP {verdict.status_code}")
                out.append({"expected": expected, "ms": (time.perf_counter() - started) * 1000,
                            "number": int(r.headers["location"].rsplit("/", 1)[1]), "error": None})
            except Exception as exc:  # counted, never hidden: the run's errors must be 0
                out.append({"expected": expected, "ms": None, "number": None, "error": f"{type(exc).__name__}: {exc}"})
    return out


def run(kind: str, servers: int, offices_n: int, revisions: int, timeout: float, work: Path) -> dict:
    from recon.archive import Archive

    offices = build_offices(work / "books", offices_n, revisions)
    with database(kind) as url:
        data = work / f"data-{kind}-{servers}"
        archive = Archive.open(url, data)
        for office in offices:
            made, token = archive.add_office(office.region, office.country)
            office.id, office.link = made.id, f"/o/{token}"
        log = work / f"serve-{kind}-{servers}.log"
        with contextlib.ExitStack() as running:
            procs = [running.enter_context(serving(data, url, log)) for _ in range(servers)]
            bases = [p.base for p in procs]
            memory = Memory([p.pid for p in procs])
            memory.start()
            load_before = os.getloadavg()
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=len(offices)) as pool:
                results = list(pool.map(lambda io: office_uploads(io[1], bases[io[0] % servers], timeout),
                                        enumerate(offices)))
            wall = time.perf_counter() - started
            load_after = os.getloadavg()
            memory.done.set()
            memory.join()
        problems = []
        for office, sent in zip(offices, results, strict=True):
            stored = sorted(archive.revisions(office.id), key=lambda r: r.number)
            if [r.number for r in stored] != list(range(1, len(office.uploads) + 1)):
                problems.append(f"{office.region} › {office.country}: revisions {[r.number for r in stored]}")
            for rec, rev in zip(sent, stored, strict=False):
                if rec["error"]:
                    continue
                got = rev.status
                # A blank amount is an error in a country workbook; whether the office's other 2015 rows also
                # give findings does not matter here: what is checked is stored (accepted) or refused.
                ok = got == rec["expected"].split("-")[0]
                if not ok or (rev.status == "refused" and not rev.reason):
                    problems.append(f"{office.region} › {office.country} revision {rev.number}: {got}, "
                                    f"expected {rec['expected']}")
            problems += [f"{office.region} › {office.country}: {rec['error']}" for rec in sent if rec["error"]]
        checks = [float(r.check_ms) for office in offices for r in archive.revisions(office.id)
                  if r.check_ms is not None]
        archive.close()
    latencies = [rec["ms"] for sent in results for rec in sent if rec["ms"] is not None]
    return {
        "database": kind, "servers": servers, "offices": len(offices), "uploads": sum(len(o.uploads) for o in offices),
        "refused_expected": sum(e == "refused" for o in offices for e, _ in o.uploads),
        "errors": len(problems), "problems": problems[:20], "wall_s": round(wall, 1),
        "latency_ms": summary(latencies), "check_ms": summary(checks),
        "peak_rss_mb": {"each": [round(kb / 1024) for kb in memory.peak.values()],
                        "sum": round(memory.peak_sum / 1024)},
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after]},
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
        "recon_speed": os.environ.get("RECON_SPEED", "auto"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--offices", type=int, default=150, help="offices uploading at once (default 150, at most 155)")
    ap.add_argument("--revisions", type=int, default=2, help="uploads per office, one after the other (default 2)")
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--servers", type=int, choices=[1, 2], default=1, help="recon serve processes (default 1)")
    ap.add_argument("--matrix", action="store_true", help="every --db × --servers in turn")
    ap.add_argument("--timeout", type=float, default=1800, help="per request, seconds (default 1800)")
    args = ap.parse_args()
    random.seed(2015)
    configs = ([(k, s) for k in ("sqlite", "postgresql") for s in (1, 2)] if args.matrix
               else [(args.db, args.servers)])
    reports = []
    for kind, servers in configs:
        with tempfile.TemporaryDirectory(prefix="recon-bench-deadline-") as d:
            report = run(kind, servers, max(1, min(args.offices, 155)), max(1, min(args.revisions, 5)),
                         args.timeout, Path(d))
        print(json.dumps(report, indent=1, ensure_ascii=False), flush=True)
        reports.append(report)
    out = HERE / "results" / f"deadline-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(reports, indent=1, ensure_ascii=False) + "\n")
    if any(r["errors"] for r in reports):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
