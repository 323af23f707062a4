"""The whole job in one call: collect workbooks → read → reconcile → run the rules.

>>> result = run(["workbooks/mi2015"])                       # doctest: +SKIP
>>> result.counts
{'error': 5, 'warning': 12, 'info': 10}
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from recon.errors import UnusableInput
from recon.finding import Finding, count_by_severity, sort_key
from recon.read import read_workbook
from recon.reconcile import Reconciliation, reconcile
from recon.submission import Submission

SUFFIXES = (".xlsx", ".xlsm")
# Below this many bytes of workbooks, starting worker processes costs more than it saves (the 2015 edition's
# ten files read in 0.05 s; a pool takes 0.2–0.4 s to start on this machine).
PARALLEL_FROM_BYTES = 4 << 20


def bundled_dir() -> Path:
    """``workbooks/mi2015`` of this checkout: the 2015 edition."""
    return Path(__file__).resolve().parent.parent / "workbooks" / "mi2015"


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


def read_all(paths: list[Path], advance: Callable[[], None] | None = None,
             workers: int | None = None) -> tuple[list[Submission], list[UnusableInput]]:
    """Read every workbook; an unusable one is set aside (with its one-line reason), the rest go on."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    size = sum(p.stat().st_size for p in paths if p.is_file())
    if len(paths) > 1 and size >= PARALLEL_FROM_BYTES and workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = []
            for outcome in pool.map(_read_one, paths, chunksize=max(1, len(paths) // (workers * 8))):
                outcomes.append(outcome)
                if advance:
                    advance()
    else:
        outcomes = []
        for p in paths:
            outcomes.append(_read_one(p))
            if advance:
                advance()
    subs = [o for o in outcomes if isinstance(o, Submission)]
    bad = [o for o in outcomes if isinstance(o, UnusableInput)]
    return subs, bad


def run(paths: Iterable[str | Path], rules_dir: Path | None = None,
        advance: Callable[[], None] | None = None) -> Result:
    files = collect(paths)
    subs, bad = read_all(files, advance)
    return run_submissions(subs, bad, rules_dir, files)


def run_submissions(subs: list[Submission], bad: list[UnusableInput] = (), rules_dir: Path | None = None,
                    inputs: list[Path] = ()) -> Result:
    """Reconcile submissions already read (from files, or from an open Excel book) and run the rules."""
    from recon import rules  # GX is imported inside rules.run only

    suites = rules.read_suites(rules_dir)
    rec = reconcile(subs, rules.parameters(suites))
    ran = rules.run(rec, rules_dir)
    unusable = [Finding("READ-UNUSABLE", "error", location=e.where, message=e.problem, suggestion=e.fix)
                for e in bad]
    findings = sorted(unusable + rec.findings + ran.findings, key=sort_key)
    return Result(rec, findings, list(bad), ran, rules.rules_version(rules_dir), list(inputs))
