"""The whole job in one call: collect workbooks → read → reconcile → run the rules.

>>> result = run(["workbooks/mi2015"])                       # doctest: +SKIP
>>> result.counts
{'error': 5, 'warning': 12, 'info': 10}

For a large batch the reader processes are forked first, while this process holds nothing but the readers'
modules (no pandas, no Great Expectations: cheap to fork, nothing to inherit); then, while they read, a
thread here prepares the rules — the great_expectations import and building every suite, some 2–7 s of
work that needs no data. Reading and preparing overlap, so a big batch pays for the import only once the
machine has a core to spare.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from recon import forking
from recon.errors import UnusableInput
from recon.finding import Finding, count_by_severity, sort_key
from recon.read import read_workbook
from recon.submission import Submission

if TYPE_CHECKING:
    from recon.reconcile import Reconciliation
    from recon.rules import Rules

SUFFIXES = (".xlsx", ".xlsm")
# Below this many bytes of workbooks, starting worker processes costs more than it saves (the 2015 edition's
# ten files read in 0.05 s; a pool takes 0.2–0.4 s to start on this machine).
PARALLEL_FROM_BYTES = 4 << 20
MAX_CHUNK = 4  # workbooks per reader task (see chunksize)


def bundled_dir() -> Path:
    """The bundled 2015 edition: ``workbooks/mi2015`` installed in the package, else the checkout's."""
    from recon.shipped import shipped

    found = shipped("workbooks/mi2015")
    if found is None:
        raise ValueError("the bundled 2015 edition (workbooks/mi2015) is not installed; name workbooks or folders")
    return found


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders expanded to their ``*.xlsx``/``*.xlsm`` (sorted, Excel lock files skipped)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES and not f.name.startswith("~$"))
        else:
            out.append(p)
    return out


@dataclass
class Result:
    reconciliation: Reconciliation
    findings: list[Finding]
    unusable: list[UnusableInput] = field(default_factory=list)
    rule_run: object = None  # recon.rules.RuleRun: its .results are the raw GX results as JSON
    rules_version: str = ""
    inputs: list[Path] = field(default_factory=list)

    @property
    def results(self) -> dict:
        """Raw GX validation results per suite, as JSON (computed when first asked for)."""
        if not hasattr(self, "_results"):
            self._results = self.rule_run.results if self.rule_run is not None else {}
        return self._results

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    @property
    def exit_code(self) -> int:
        """0 clean, 1 error findings, 2 an input was unusable."""
        if self.unusable:
            return 2
        return 1 if self.counts["error"] else 0

    @property
    def submissions(self) -> list[Submission]:
        return self.reconciliation.submissions


def _read_one(path: Path) -> Submission | UnusableInput:
    try:
        return read_workbook(path)
    except UnusableInput as exc:
        return exc


def parallel(paths: list[Path], workers: int) -> bool:
    """Whether :func:`read_all` uses reader processes for these files (bench/run.py asks the same)."""
    size = sum(p.stat().st_size for p in paths if p.is_file())
    return len(paths) > 1 and size >= PARALLEL_FROM_BYTES and workers > 1


def chunksize(paths: list[Path], workers: int) -> int:
    """Workbooks per task: a few, so that the last tasks end together. With 1,000 files in chunks of 62 (a
    second of reading each) one core idled for half a chunk on average while the other finished."""
    return max(1, min(MAX_CHUNK, len(paths) // (workers * 8)))


def mp_context():
    # fork: the workers start with the readers' modules already imported (and nothing else, see above).
    # Elsewhere the default start method re-imports them: recon.read is light, so that costs little.
    return forking.context()


def read_all(paths: list[Path], advance: Callable[[], None] | None = None,
             workers: int | None = None) -> tuple[list[Submission], list[UnusableInput]]:
    """Read every workbook; an unusable one is set aside (with its one-line reason), the rest go on."""
    subs, bad, _ = _read(paths, advance, workers)
    return subs, bad


def _read(paths: list[Path], advance: Callable[[], None] | None = None, workers: int | None = None,
          meanwhile: Callable[[], object] | None = None):
    """:func:`read_all`, running ``meanwhile`` in a thread once the reader processes exist and a workbook
    could be read (see the module docstring) → (submissions, unusable, Future of ``meanwhile`` or None).
    When nothing could be read, ``meanwhile`` never starts: a refused zip bomb need not wait for GX."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    outcomes: list = []
    background: Future | None = None
    helper = ThreadPoolExecutor(max_workers=1) if meanwhile else None
    try:
        if parallel(paths, workers):
            with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
                # map() submits every chunk at once, so all workers are forked before the thread starts.
                results = pool.map(_read_one, paths, chunksize=chunksize(paths, workers))
                for outcome in results:
                    outcomes.append(outcome)
                    if helper and background is None and isinstance(outcome, Submission):
                        background = helper.submit(meanwhile)
                    if advance:
                        advance()
        else:
            for p in paths:
                outcomes.append(_read_one(p))
                if advance:
                    advance()
            if helper and any(isinstance(o, Submission) for o in outcomes):
                background = helper.submit(meanwhile)
    finally:
        if helper:
            helper.shutdown(wait=False)
    subs = [o for o in outcomes if isinstance(o, Submission)]
    bad = [o for o in outcomes if isinstance(o, UnusableInput)]
    return subs, bad, background


def run(paths: Iterable[str | Path], rules_dir: Path | None = None,
        advance: Callable[[], None] | None = None) -> Result:
    files = collect(paths)

    def prepare() -> Rules:
        from recon.rules import Rules

        return Rules(rules_dir)

    with without_cycle_collector():
        subs, bad, prepared = _read(files, advance, meanwhile=prepare)
        if bad and not subs:
            return Refused(bad, rules_dir, files)
        return run_submissions(subs, bad, rules_dir, files, prepared=prepared.result() if prepared else None)


@contextmanager
def without_cycle_collector():
    """Python's cycle collector off for one batch, in this process and the reader processes forked from it.

    A batch allocates millions of objects (cells, rows, findings) and keeps most of them to the end, so the
    collector keeps re-scanning a growing heap for cycles that recon does not make: on 1,000 workbooks it
    took 1–2 CPU-seconds, with the same peak memory either way (612 and 620 MB). Reference counting still
    frees everything else at once; the collector is back on when the batch is done.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class Refused(Result):
    """What :func:`run` gives when no workbook could be read: the reasons, at once. No rules are prepared
    (they would have nothing to check), and the empty reconciliation and the rules' hash, which import
    pandas, are made only when a report asks for them: ``recon check bomb.xlsx`` says why and exits.

    >>> run(["bomb.xlsx"]).unusable[0].problem                      # doctest: +SKIP
    'suspicious compression ratio 419:1 in xl/worksheets/sheet2.xml (a zip bomb?)'
    """

    def __init__(self, bad: list[UnusableInput], rules_dir: Path | None = None, inputs: list[Path] = ()):
        self.unusable = list(bad)
        self.findings = sorted(_unusable(bad), key=sort_key)
        self.rule_run = None
        self.inputs = list(inputs)
        self.rules_dir = rules_dir

    @property
    def submissions(self) -> list[Submission]:
        return []

    @cached_property
    def reconciliation(self) -> Reconciliation:
        from recon import rules
        from recon.reconcile import reconcile

        return reconcile([], rules.parameters(rules.read_suites(self.rules_dir)))

    @cached_property
    def rules_version(self) -> str:
        from recon import rules

        return rules.rules_version(self.rules_dir)


def _unusable(bad: Iterable[UnusableInput]) -> list[Finding]:
    return [Finding("READ-UNUSABLE", "error", location=e.where, message=e.problem, suggestion=e.fix) for e in bad]


def run_submissions(subs: list[Submission], bad: list[UnusableInput] = (), rules_dir: Path | None = None,
                    inputs: list[Path] = (), prepared: Rules | None = None) -> Result:
    """Reconcile submissions already read (from files, or from an open Excel book) and run the rules."""
    from recon import rules  # GX is imported when the rules are prepared
    from recon.reconcile import reconcile

    ready = prepared or rules.Rules(rules_dir)
    rec = reconcile(subs, rules.parameters(ready.suites))
    ran = ready.run(rec)
    findings = sorted(_unusable(bad) + rec.findings + ran.findings, key=sort_key)
    return Result(rec, findings, list(bad), ran, rules.rules_version(ready.directory), list(inputs))
