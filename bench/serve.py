"""The upload site's verdict time: one regional workbook uploaded N times to a ``recon serve`` on localhost.

Starts ``recon serve`` on a free 127.0.0.1 port with a fresh data folder, adds the workbook's office, then
uploads the workbook through the office's link (CSRF token and all, as a browser does) up to ``--count``
times or until ``--seconds`` have passed, one upload at a time. Reports p50/p95 of

- ``verdict_ms``: the server-side verdict (read with the guard first, office check, every rule), as the
  server recorded it on each revision (``check_ms``);
- ``verdict_cpu_ms``: the CPU time of the thread that ran it plus that of the rules' partner process, which
  checks some of the suites meanwhile (``recon.speed.partner``): what a verdict costs, whichever core ran it;
- ``request_ms``: the whole upload request as the client saw it (upload, store, verdict, record, redirect);
- ``direct``: the same workbook checked ``--direct`` times by an ``intake.Checker`` in this process, in a
  worker thread as the server does (no HTTP, no archive): wall and CPU per check;
- ``memory_after_mb``: RSS and PSS of the server and of its rules' partner process after the uploads.

The machine's load average is recorded before and after (this 2-core machine is shared: compare CPU time).
``RECON_SPEED`` in the environment applies to the server and to the direct checks alike.

    python bench/serve.py                                   # East and Horn of Africa, 20 uploads, ≤ 120 s
    python bench/serve.py --workbook workbooks/mi2015/asia-and-the-pacific.xlsx --count 50 --seconds 300
    python bench/serve.py --direct 40 --count 0             # the Checker alone, 40 checks

Prints one JSON object and saves it to ``bench/results/serve-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from run import _children, _pss_rss
from serving import free_port, serving

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent / "workbooks" / "mi2015" / "east-and-horn-of-africa.xlsx"


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile: ``pct([1, 2, 3, 4], 0.95)`` → 4."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p * len(ordered) + 0.5) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workbook", type=Path, default=DEFAULT)
    ap.add_argument("--count", type=int, default=20, help="uploads at most (default 20)")
    ap.add_argument("--seconds", type=float, default=120, help="stop uploading after this long (default 120)")
    ap.add_argument("--direct", type=int, default=20, help="checks by a Checker in this process (default 20)")
    args = ap.parse_args()
    count = max(0, min(args.count, 1000))
    load_before = os.getloadavg()
    report = {"workbook": args.workbook.name, "size_bytes": args.workbook.stat().st_size,
              "recon_speed": os.environ.get("RECON_SPEED", "auto"), "cpus": os.cpu_count(),
              "load_average_before": load_before}
    if args.direct > 0:
        report["direct"] = direct(args.workbook, min(args.direct, 1000))
    if count > 0:
        report.update(through_the_site(args.workbook, count, args.seconds))
    report.update(when=datetime.now(UTC).isoformat(timespec="seconds"), load_average_after=os.getloadavg())
    print(json.dumps(report, indent=1))
    out = HERE / "results" / f"serve-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def summary(values: list[float]) -> dict:
    return {"p50": round(statistics.median(values)), "p95": round(pct(values, 0.95)), "min": round(min(values)),
            "max": round(max(values))}


def direct(workbook: Path, n: int) -> dict:
    """``n`` checks of ``workbook`` by one Checker (built once, as ``recon serve`` builds it), each in a worker
    thread; the first check is reported apart (the GX objects' first use)."""
    from concurrent.futures import ThreadPoolExecutor

    from recon.intake import Checker, office_of
    from recon.workbook.read import read_workbook

    region, country = office_of(read_workbook(workbook))
    started = time.perf_counter()
    checker = Checker()
    built_s = time.perf_counter() - started
    wall, cpu = [], []
    with ThreadPoolExecutor(1) as pool:
        for _ in range(n + 1):
            v = pool.submit(checker.check, workbook, region, country).result()
            assert v.status == "accepted", v.reason
            wall.append(v.seconds * 1000)
            cpu.append(v.cpu_seconds * 1000)
    return {"checks": n, "checker_built_s": round(built_s, 1), "first_ms": round(wall[0]),
            "first_cpu_ms": round(cpu[0]), "findings": len(v.findings), "wall_ms": summary(wall[1:]),
            "cpu_ms": summary(cpu[1:])}


def through_the_site(workbook: Path, count: int, seconds: float) -> dict:
    """``recon serve`` on a free port; ``count`` uploads of ``workbook`` through its office's link."""
    import httpx

    from recon.archive import Archive
    from recon.intake import office_of
    from recon.workbook.read import read_workbook

    region, country = office_of(read_workbook(workbook))
    with tempfile.TemporaryDirectory(prefix="recon-bench-serve-") as d:
        data, port = Path(d) / "recon-data", free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "recon.cli"]
        added = subprocess.run([*cmd, "office", "add", "--region", region, *(["--country", country] if country
                                                                                else []),
                                "--data", str(data), "--url", base], capture_output=True, text=True, check=True)
        link = added.stdout.strip().split(": ", 1)[1]
        with serving(data, port=port) as server:
            startup_s = server.started_s
            request_ms = []
            with httpx.Client(base_url=base, timeout=120) as client:
                office_page = client.get(link, follow_redirects=True)
                token = re.search(r'name="csrf_token" value="([^"]+)"', office_page.text).group(1)
                upload_url = re.search(r'action="(/offices/\d+/upload)"', office_page.text).group(1)
                body = workbook.read_bytes()
                deadline = time.perf_counter() + seconds
                while len(request_ms) < count and time.perf_counter() < deadline:
                    t = time.perf_counter()
                    r = client.post(upload_url, data={"csrf_token": token},
                                    files={"workbook": (workbook.name, body)})
                    request_ms.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 303, r.text[:500]
            memory = processes(server.pid)
        archive = Archive.open(data=data)
        office = archive.find_office(region, country)
        revisions = [r for r in archive.revisions(office.id) if r.status == "accepted"]
        verdict_ms = [float(r.check_ms) for r in revisions]
        verdict_cpu_ms = [float(r.check_cpu_ms) for r in revisions]
        archive.close()
    return {"uploads": len(request_ms), "verdict_ms": summary(verdict_ms), "verdict_cpu_ms": summary(verdict_cpu_ms),
            "request_ms": summary(request_ms), "startup_s": round(startup_s, 1), "memory_after_mb": memory}


def processes(pid: int) -> dict:
    """RSS and PSS (MB) of the server and of each child (the rules' partner), after the uploads:
    ``{"server": {"rss": 181, "pss": 139}, "children": [{"rss": 148, "pss": 115}]}``. PSS counts a page the
    forked partner still shares with the server once, split between them."""
    def one(p: int) -> dict:
        pss, rss = _pss_rss(p)
        return {"rss": round(rss / 2**20), "pss": round(pss / 2**20)}

    return {"server": one(pid), "children": [one(k) for k in _children(pid)]}


if __name__ == "__main__":
    main()
