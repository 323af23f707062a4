"""Benchmark recon against the read floor: ``python bench/run.py`` → one JSON report.

For each size (default: the 2015 edition, 150 offices × 1,000 entries, 1,000 × 1,000) it measures, each in
a fresh process so that peak memory belongs to one measurement, ``--repeat`` rounds of:

- **floor**: python-calamine alone reading every cell of every sheet of the same workbooks
  (``CalamineWorkbook.from_path`` + ``to_python`` per sheet), in one process and with recon's own process
  pool (same start method, worker count and chunk size as ``recon.speed.readers``);
- **cli**: the wall clock of ``recon reconcile DIR > file`` — interpreter start, imports and all;
- **stages**: ``recon.pipeline.run`` in-process with its steps timed through its ``timer`` hook (read; the
  rules prepared meanwhile in a thread, and any wait for them; merge; rules), then the report (``summaries.as_json`` + ``json.dumps``
  and ``terminal.render`` to a StringIO console).

Rounds are interleaved and each ratio is taken within its round, then the median round is reported: on a
shared machine the same run varies by ±25 % within minutes.

Peak memory is sampled from /proc every 100 ms over the measured process *and its children* (recon's read
pool): ``peak_pss_mb`` is the peak of the summed PSS (shared pages split fairly, the honest total),
``peak_rss_sum_mb`` the peak of summed RSS (counts fork-shared pages twice), ``max_rss_mb`` the largest
single process's ``ru_maxrss``. Results go to stdout and ``bench/results/<name>.json``.

    python bench/run.py                          # everything (1 M takes minutes; generation is cached)
    python bench/run.py --sizes 2015,150x1000    # a subset
    python bench/run.py --sizes 1000x1000 --profile   # + cProfile hotspots per stage
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
DEFAULT_SIZES = "2015,150x1000,1000x1000"
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------- memory sampling of a process tree

def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += _children(p)
    return seen


def _pss_rss(pid: int) -> tuple[int, int]:
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return pss, rss


class TreeSampler(threading.Thread):
    """Peak summed PSS/RSS of ``pid`` and its descendants, polled every ``interval`` seconds."""

    # 100 ms, not 20: reading smaps_rollup walks a process's page tables, so a finer poll of a large recon
    # run slows the very run it measures (bench/README.md › memory).
    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_pss = self.peak_rss = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pss = rss = 0
            for p in _tree(self.pid):
                a, b = _pss_rss(p)
                pss, rss = pss + a, rss + b
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores, /proc/stat)."""
    with open("/proc/stat") as fh:
        f = [int(x) for x in fh.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = f[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measured(cmd: list[str], stdout=subprocess.DEVNULL, env: dict | None = None) -> dict:
    """Run ``cmd``; wall clock, exit code and peak memory of its whole process tree, and how much CPU
    other processes took meanwhile (``others_cpu_share`` > 0.1 means the timing is contended)."""
    busy = _busy_cpu_s()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stderr = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, _busy_cpu_s() - busy - cpu)
    return {"wall_s": round(wall, 3), "exit_code": proc.returncode,
            "others_cpu_share": round(others / (wall * (os.cpu_count() or 1)), 2),
            "peak_pss_mb": round(sampler.peak_pss / 2**20, 1), "peak_rss_sum_mb": round(sampler.peak_rss / 2**20, 1),
            # wait4: the child's own maxrss, or its largest reaped descendant's (Linux keeps the max)
            "max_rss_mb": round(usage.ru_maxrss / 1024, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "stderr_tail": stderr.decode(errors="replace")[-2000:] if proc.returncode not in (0, 1) else ""}


def _child(kind: str, folder: Path, extra: list[str] = ()) -> dict:
    """One measurement in a fresh interpreter (``run.py --_measure KIND``); its JSON plus memory."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    try:
        m = measured([sys.executable, str(Path(__file__)), "--_measure", kind, "--_dir", str(folder),
                      "--_out", str(out), *extra])
        if m["exit_code"] != 0:
            raise RuntimeError(f"{kind} on {folder} failed:\n{m['stderr_tail']}")
        data = json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
    data["process"] = {k: v for k, v in m.items() if k not in ("exit_code", "stderr_tail")}
    return data


# ---------------------------------------------------------------- measurements (inside the child)

def _read_cells(path: str) -> int:
    """The floor for one workbook: every sheet's every cell as Python values, as recon reads them."""
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(path)
    cells = 0
    try:
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(map(len, rows))
    finally:
        wb.close()
    return cells


def measure_floor(folder: Path, workers: int) -> dict:
    from concurrent.futures import ProcessPoolExecutor

    from recon.pipeline import collect
    from recon.speed import readers

    files = [str(p) for p in collect([folder])]
    started = time.perf_counter()
    if workers > 1:
        # recon's reader pool (recon.speed.readers): same start method, worker count and chunk size; only a
        # count travels back.
        with ProcessPoolExecutor(max_workers=workers, mp_context=readers.context()) as pool:
            cells = sum(pool.map(_read_cells, files, chunksize=readers.chunksize(files, workers)))
    else:
        cells = sum(map(_read_cells, files))
    return {"seconds": round(time.perf_counter() - started, 3), "workers": workers, "cells": cells,
            "workbooks": len(files)}


# recon.pipeline's step names → the stage names bench reports (kept from earlier reports).
STAGES = {"reconcile": "merge"}


class Stopwatch:
    """The ``timer`` recon.pipeline.run takes: each step's duration adds to ``times[stage]``; with
    ``profile``, each step in the calling thread also runs under its own cProfile (the rules' preparation
    runs in a thread, and is timed only)."""

    def __init__(self, times: dict, profiles: dict | None = None):
        self.times, self.profiles = times, profiles

    @contextmanager
    def __call__(self, step: str):
        stage = STAGES.get(step, step)
        prof = None
        if self.profiles is not None and step != "prepare":
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        t = time.perf_counter()
        try:
            yield
        finally:
            self.times[stage] = self.times.get(stage, 0.0) + time.perf_counter() - t
            if prof is not None:
                prof.disable()
                self.profiles[stage] = prof


def measure_stages(folder: Path, profile_dir: Path | None = None) -> dict:
    """``recon.pipeline.run`` with a timer around each of its steps, then the report.

    ``read`` ends when the last workbook is in; ``prepare`` (the great_expectations import and building the
    suites) runs in a thread meanwhile and is reported apart, with ``prepare_wait`` — how long the pipeline
    then still waited for it (0 when reading took longer)."""
    t0 = time.perf_counter()
    import io

    from rich.console import Console

    from recon import pipeline
    from recon.report import headline as summaries
    from recon.report import terminal

    times: dict[str, float] = {"import_recon": time.perf_counter() - t0}
    profiles: dict | None = {} if profile_dir else None
    step = Stopwatch(times, profiles)
    t = time.perf_counter()
    result = pipeline.run([folder], timer=step)
    times["pipeline_run"] = time.perf_counter() - t
    known = sum(times.get(k, 0.0) for k in ("collect", "read", "prepare_wait", "merge", "rules"))
    times["pipeline_other"] = times["pipeline_run"] - known  # sorting findings, Result
    t = time.perf_counter()
    with step("report_json"):
        doc = json.dumps(summaries.as_json(result), ensure_ascii=False, default=str)
    text = io.StringIO()
    with step("report_text"):
        terminal.render(result, Console(file=text, width=160))
    times["report"] = time.perf_counter() - t
    rec = result.reconciliation
    out = {
        "stages_s": {k: round(v, 3) for k, v in times.items()},
        "workbooks": len(result.inputs), "unusable": len(result.unusable),
        "entries_read": int(sum(s.rows_accepted for s in result.submissions)),
        "entries_merged": len(rec.entries), "findings": len(result.findings), "counts": result.counts,
        "rows_validated": result.rule_run.rows,
        "report_json_bytes": len(doc), "report_text_bytes": len(text.getvalue()),
        "rss_self_max_mb": round(_maxrss("self"), 1), "rss_children_max_mb": round(_maxrss("children"), 1),
    }
    if profile_dir:
        out["hotspots"] = {stage: _hotspots(prof, profile_dir / f"{stage}.prof") for stage, prof in profiles.items()}
    return out


def _maxrss(who: str) -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF if who == "self" else resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measure_read_profile(folder: Path, sample: int, profile_dir: Path) -> dict:
    """The read stage happens in pool workers, out of cProfile's sight: profile ``read_workbook`` in-process on
    an evenly spread sample of the files instead."""
    import cProfile

    from recon.pipeline import collect
    from recon.workbook.read import read_workbook

    files = collect([folder])
    step = max(1, len(files) // sample)
    chosen = files[::step][:sample]
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.runcall(lambda: [read_workbook(p) for p in chosen])
    seconds = time.perf_counter() - t
    floor = time.perf_counter()
    for p in chosen:
        _read_cells(str(p))
    floor = time.perf_counter() - floor
    return {"files": len(chosen), "read_workbook_s": round(seconds, 3), "calamine_floor_s": round(floor, 3),
            "note": "profiled time (cProfile inflates Python-heavy code); the floor is unprofiled",
            "hotspots": _hotspots(prof, profile_dir / "read_workbook.prof")}


def _hotspots(prof, path: Path, top: int = 15) -> dict:
    import pstats

    path.parent.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(str(path))
    st = pstats.Stats(prof)
    total = st.total_tt

    def where(func) -> str:
        file, line, name = func
        for prefix in (str(ROOT) + "/", sys.prefix + "/lib/", sys.base_prefix + "/lib/"):
            file = file.replace(prefix, "")
        return f"{file}:{line} {name}"

    rows = [(func, cc, nc, tt, ct) for func, (cc, nc, tt, ct, _callers) in st.stats.items()]
    by_tt = sorted(rows, key=lambda r: -r[3])[:top]
    by_ct = sorted([r for r in rows if "recon/" in r[0][0] or "bench/" in r[0][0]], key=lambda r: -r[4])[:top]
    return {
        "profile_total_s": round(total, 3), "pstats": str(path.relative_to(ROOT)),
        "self_time": [{"where": where(f), "self_s": round(tt, 3), "cum_s": round(ct, 3), "calls": nc}
                      for f, _cc, nc, tt, ct in by_tt],
        "recon_cumulative": [{"where": where(f), "cum_s": round(ct, 3), "self_s": round(tt, 3), "calls": nc}
                             for f, _cc, nc, tt, ct in by_ct],
    }


# ---------------------------------------------------------------- orchestration (the parent)

def _dataset(size: str, errors: float, seed: int) -> tuple[Path, dict]:
    if size == "2015":
        folder = ROOT / "workbooks" / "mi2015"
        return folder, {"what": "the bundled 2015 edition", "dir": str(folder.relative_to(ROOT))}
    offices, entries = (int(x) for x in size.lower().split("x"))
    sys.path.insert(0, str(BENCH))
    import generate

    folder = generate.generate(offices, entries, errors, seed)
    manifest = json.loads((folder / "manifest.json").read_text())
    return folder, {"what": "synthetic (bench/generate.py)", "dir": str(folder.relative_to(ROOT)), **manifest}


def _cli_times(repeat: int) -> dict:
    recon = str(Path(sys.executable).with_name("recon"))
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        runs = {"help": [], "template": [], "reconcile_2015": []}
        for i in range(repeat):
            runs["help"].append(measured([recon, "--help"]))
            runs["template"].append(measured([recon, "template", "--region", "East and Horn of Africa",
                                              "-o", f"{tmp}/t{i}.xlsx"]))
            runs["reconcile_2015"].append(measured([recon, "reconcile"]))
    for k, rs in runs.items():
        walls = [r["wall_s"] for r in rs]
        out[k] = {"median_s": round(statistics.median(walls), 3), "runs_s": walls,
                  "exit_codes": sorted({r["exit_code"] for r in rs}),
                  "peak_pss_mb": max(r["peak_pss_mb"] for r in rs),
                  "others_cpu_share_max": max(r["others_cpu_share"] for r in rs)}
    return out


def _imports_gx(args: list[str]) -> bool:
    """Does this command load great_expectations (``-X importtime`` lists it)?"""
    code = "import sys; from recon.cli import main; sys.argv = ['recon', *sys.argv[1:]]; main()"
    with tempfile.TemporaryDirectory() as tmp:
        args = [a.replace("{tmp}", tmp) for a in args]
        p = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True,
                           cwd=ROOT, text=True)
    return "great_expectations" in p.stderr


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def bench_size(size: str, args) -> dict:
    """Floor (1 and N processes), ``recon reconcile`` and the library stages, ``--repeat`` times *interleaved*:
    on a shared machine speed drifts by tens of percent within minutes, so each ratio is taken within one
    round (the CLI run beside the floor runs around it) and the report gives the median round."""
    folder, dataset = _dataset(size, args.errors, args.seed)
    workers = args.workers or os.cpu_count() or 1
    print(f"[{size}] {dataset.get('workbooks', '')} workbooks in {dataset['dir']}", file=sys.stderr)
    from recon import speed
    from recon.pipeline import collect
    from recon.speed import readers

    recon_parallel = readers.parallel(collect([folder]), workers, speed.mode())
    rounds = []
    for i in range(args.repeat):
        r = {"floor_1": _child("floor", folder, ["--_workers", "1"]),
             "floor_n": _child("floor", folder, ["--_workers", str(workers)])}
        if not args.no_cli:
            log = BENCH / "_work" / f"reconcile-{size}.txt"
            log.parent.mkdir(exist_ok=True)
            with log.open("wb") as fh:
                cli = measured([str(Path(sys.executable).with_name("recon")), "reconcile", str(folder)], stdout=fh)
            r["cli"] = {k: v for k, v in cli.items() if k != "stderr_tail" or v}
        r["stages"] = _child("stages", folder)
        rounds.append(r)
        print(f"[{size}] round {i + 1}: floor {r['floor_1']['seconds']} s (1 process), {r['floor_n']['seconds']} s "
              f"({workers}); recon reconcile {r.get('cli', {}).get('wall_s')} s; stages "
              f"{r['stages']['stages_s']}", file=sys.stderr)
    floor_1 = [r["floor_1"]["seconds"] for r in rounds]
    floor_n = [r["floor_n"]["seconds"] for r in rounds]
    stage_names = rounds[0]["stages"]["stages_s"]
    stages = {k: _median([r["stages"]["stages_s"].get(k, 0.0) for r in rounds]) for k in stage_names}
    e2e = [r["stages"]["stages_s"]["pipeline_run"] + r["stages"]["stages_s"]["report"] for r in rounds]
    last = rounds[-1]["stages"]
    out = {"dataset": dataset, "rounds": len(rounds), "recon_reads_in_parallel": recon_parallel,
           "floor": {"single_process_s": _median(floor_1), "parallel_s": _median(floor_n), "workers": workers,
                     "runs_single_process_s": floor_1, "runs_parallel_s": floor_n,
                     "cells": rounds[0]["floor_1"]["cells"], "workbooks": rounds[0]["floor_1"]["workbooks"],
                     "process_parallel": rounds[-1]["floor_n"]["process"]},
           "library": {**{k: v for k, v in last.items() if k not in ("stages_s", "process")},
                       "stages_s": stages, "end_to_end_s": _median(e2e), "process": last["process"]}}
    ratios = {"parallel_speedup_of_floor": _median([a / b for a, b in zip(floor_1, floor_n, strict=True)]),
              "library_over_parallel_floor": _median([a / b for a, b in zip(e2e, floor_n, strict=True)]),
              "read_stage_over_parallel_floor": _median([r["stages"]["stages_s"]["read"] / r["floor_n"]["seconds"]
                                                         for r in rounds])}
    if not args.no_cli:
        walls = [r["cli"]["wall_s"] for r in rounds]
        out["cli_reconcile"] = {"wall_s": _median(walls), "runs_s": walls,
                                "exit_codes": sorted({r["cli"]["exit_code"] for r in rounds}),
                                "peak_pss_mb": max(r["cli"]["peak_pss_mb"] for r in rounds),
                                "peak_rss_sum_mb": max(r["cli"]["peak_rss_sum_mb"] for r in rounds),
                                "others_cpu_share_max": max(r["cli"]["others_cpu_share"] for r in rounds),
                                "cpu_s": _median([r["cli"]["cpu_s"] for r in rounds])}
        # Paired within each round, then the median round.
        ratios["cli_over_parallel_floor"] = _median([w / f for w, f in zip(walls, floor_n, strict=True)])
        ratios["cli_over_single_process_floor"] = _median([w / f for w, f in zip(walls, floor_1, strict=True)])
    out["ratios"] = ratios
    if args.profile:
        pdir = RESULTS / "profiles" / size
        prof = _child("stages", folder, ["--_profile", str(pdir)])
        out["profile"] = {"stages_s_under_cprofile": prof["stages_s"], "hotspots": prof["hotspots"],
                          "read_workbook_sample": _child("read_profile", folder,
                                                         ["--_profile", str(pdir)])}
    return out


def _slope(a: dict, b: dict) -> dict:
    """Marginal cost per entry between two sizes vs the average cost at the larger one: linear ⇔ ≈ equal."""
    ea, eb = a["library"]["entries_read"], b["library"]["entries_read"]
    d = eb - ea

    def pair(ta: float, tb: float) -> dict:
        return {"us_per_entry_marginal": round((tb - ta) / d * 1e6, 2),
                "us_per_entry_average_at_large": round(tb / eb * 1e6, 2)}

    sa, sb = a["library"]["stages_s"], b["library"]["stages_s"]
    out = {"entries": [ea, eb], "floor_parallel": pair(a["floor"]["parallel_s"], b["floor"]["parallel_s"]),
           "floor_single_process": pair(a["floor"]["single_process_s"], b["floor"]["single_process_s"]),
           "library_end_to_end": pair(a["library"]["end_to_end_s"], b["library"]["end_to_end_s"])}
    if "cli_reconcile" in a and "cli_reconcile" in b:
        out["cli_reconcile"] = pair(a["cli_reconcile"]["wall_s"], b["cli_reconcile"]["wall_s"])
    out["stages"] = {k: pair(sa[k], sb[k]) for k in ("read", "merge", "rules", "report") if k in sa and k in sb}
    return out


def _targets(report: dict) -> dict:
    t = {}
    big = report["sizes"].get("1000x1000")
    if big and "cli_reconcile" in big:
        for floor in ("parallel", "single_process"):
            value = big["ratios"][f"cli_over_{floor}_floor"]
            t[f"1M_end_to_end_le_2x_{floor}_floor"] = {"value": value, "target": 2.0, "met": value <= 2.0}
        t["1M_peak_memory_le_2GB"] = {"value_mb": big["cli_reconcile"]["peak_pss_mb"], "target_mb": 2048,
                                      "met": big["cli_reconcile"]["peak_pss_mb"] <= 2048}
    cli = report.get("cli")
    if cli:
        t["2015_reconcile_lt_6s"] = {"value": cli["reconcile_2015"]["median_s"], "met":
                                     cli["reconcile_2015"]["median_s"] < 6}
        t["help_lt_1s"] = {"value": cli["help"]["median_s"], "met": cli["help"]["median_s"] < 1}
        t["template_lt_1s"] = {"value": cli["template"]["median_s"], "met": cli["template"]["median_s"] < 1}
        t["help_and_template_without_gx"] = {"met": not (cli["help"]["imports_gx"] or cli["template"]["imports_gx"])}
    return t


def _machine() -> dict:
    from importlib.metadata import version

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "recon", "expectations"], cwd=ROOT,
                           capture_output=True, text=True)
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "recon": version("recon"), "python-calamine": version("python-calamine"),
            "pandas": version("pandas"), "great_expectations": version("great_expectations"),
            "commit": commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else ""),
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Benchmark recon against the python-calamine read floor.")
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated: 2015 and/or OFFICESxENTRIES "
                    f"(default {DEFAULT_SIZES})")
    ap.add_argument("--errors", type=float, default=0.01, help="injected error share (default 0.01)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None, help="floor parallelism (default: cores, as recon)")
    ap.add_argument("--no-cli", action="store_true", help="skip the CLI wall-clock runs")
    ap.add_argument("--cli-repeat", type=int, default=3, help="runs of each quick CLI command (default 3)")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved rounds per size (default 3)")
    ap.add_argument("--profile", action="store_true", help="also cProfile each stage (one more run per size)")
    ap.add_argument("--name", default=None, help="results file name (default: sizes and time)")
    ap.add_argument("--_measure", help=argparse.SUPPRESS)
    ap.add_argument("--_dir", help=argparse.SUPPRESS)
    ap.add_argument("--_out", help=argparse.SUPPRESS)
    ap.add_argument("--_workers", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--_profile", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a._measure:
        folder = Path(a._dir)
        if a._measure == "floor":
            data = measure_floor(folder, a._workers)
        elif a._measure == "stages":
            data = measure_stages(folder, Path(a._profile) if a._profile else None)
        elif a._measure == "read_profile":
            data = measure_read_profile(folder, 40, Path(a._profile))
        else:
            raise SystemExit(f"unknown measurement {a._measure}")
        Path(a._out).write_text(json.dumps(data))
        return

    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    report: dict = {"machine": _machine(), "settings": {"sizes": sizes, "errors": a.errors, "seed": a.seed,
                                                        "workers": a.workers or os.cpu_count()}}
    if not a.no_cli:
        report["cli"] = _cli_times(a.cli_repeat)
        report["cli"]["help"]["imports_gx"] = _imports_gx(["--help"])
        report["cli"]["template"]["imports_gx"] = _imports_gx(["template", "-r", "South America", "-o",
                                                               "{tmp}/t.xlsx"])
        print(f"CLI: {json.dumps({k: v['median_s'] for k, v in report['cli'].items()})}", file=sys.stderr)
    report["sizes"] = {}
    for size in sizes:
        report["sizes"][size] = bench_size(size, a)
    synthetic = [s for s in sizes if s != "2015"]
    if len(synthetic) >= 2:
        small, large = synthetic[0], synthetic[-1]
        report["slope"] = {"between": [small, large], **_slope(report["sizes"][small], report["sizes"][large])}
    report["targets"] = _targets(report)
    RESULTS.mkdir(exist_ok=True)
    name = a.name or f"{'_'.join(sizes)}-{time.strftime('%Y%m%d-%H%M%S')}"
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
