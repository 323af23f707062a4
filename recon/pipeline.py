"""The whole job in one call: collect workbooks → read → reconcile → run the rules.

>>> result = run(["workbooks/mi2015"])                       # doctest: +SKIP
>>> result.counts
{'error': 5, 'warning': 12, 'info': 10}

Each step is one call below. How a large batch is sped up — reader processes, the rules prepared while the
workbooks are read, fewer rows for Great Expectations — is :mod:`recon.speed`'s business, behind one switch;
it never changes a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from recon import speed
from recon.errors import UnusableInput
from recon.finding import Finding, count_by_severity, sort_key
from recon.read import read_workbook
from recon.submission import Submission

if TYPE_CHECKING:
    from recon.reconcile import Reconciliation
    from recon.rules import Rules, Suites

SUFFIXES = (".xlsx", ".xlsm")
# A step's name → a context manager around it: ``timer("read")``. bench/run.py passes one to time (or
# profile) each step: "collect", "read", "prepare" (in a thread while reading), "prepare_wait",
# "reconcile", "rules".
Timer = Callable[[str], AbstractContextManager]


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
    suites: Suites | None = None  # the rule suites it ran with, as read (reports name them from here)

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


def _untimed(_step: str) -> AbstractContextManager:
    return nullcontext()


def prepare_rules(rules_dir: Path | None = None) -> Rules:
    """The rule suites loaded into Great Expectations (the great_expectations import happens here)."""
    speed.defer_unused_imports()
    from recon.rules import Rules

    return Rules(rules_dir)


def read_all(paths: list[Path], advance: Callable[[], None] | None = None,
             workers: int | None = None) -> tuple[list[Submission], list[UnusableInput]]:
    """Read every workbook; an unusable one is set aside (with its one-line reason), the rest go on."""
    outcomes, _ = speed.read_each(paths, _read_one, advance, workers)
    return _sorted_out(outcomes)


def _sorted_out(outcomes: list) -> tuple[list[Submission], list[UnusableInput]]:
    subs = [o for o in outcomes if isinstance(o, Submission)]
    bad = [o for o in outcomes if isinstance(o, UnusableInput)]
    return subs, bad


def run(paths: Iterable[str | Path], rules_dir: Path | None = None,
        advance: Callable[[], None] | None = None, *, timer: Timer | None = None) -> Result:
    timer = timer or _untimed

    def prepare() -> Rules:
        with timer("prepare"):
            return prepare_rules(rules_dir)

    with timer("collect"):
        files = collect(paths)
    with speed.batch():
        with timer("read"):
            outcomes, prepared = speed.read_each(files, _read_one, advance, meanwhile=prepare)
        subs, bad = _sorted_out(outcomes)
        with timer("prepare_wait"):
            ready = prepared()
        return run_submissions(subs, bad, rules_dir, files, prepared=ready, timer=timer)


def run_submissions(subs: list[Submission], bad: list[UnusableInput] = (), rules_dir: Path | None = None,
                    inputs: list[Path] = (), prepared: Rules | None = None, *,
                    timer: Timer | None = None) -> Result:
    """Reconcile submissions already read (from files, or from an open Excel book) and run the rules."""
    from recon.reconcile import reconcile

    timer = timer or _untimed
    ready = prepared or prepare_rules(rules_dir)
    with timer("reconcile"):
        rec = reconcile(subs, ready.parameters)
    with timer("rules"):
        ran = speed.run_rules(ready, rec)
    unusable = [Finding("READ-UNUSABLE", "error", location=e.where, message=e.problem, suggestion=e.fix)
                for e in bad]
    findings = sorted(unusable + rec.findings + ran.findings, key=sort_key)
    return Result(rec, findings, list(bad), ran, ready.loaded.version, list(inputs), ready.loaded)
