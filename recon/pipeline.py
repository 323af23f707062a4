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
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from recon import speed
from recon.appeal.finding import Finding, count_by_severity, sort_key
from recon.appeal.submission import Submission
from recon.errors import UnusableInput, UsageError
from recon.rules.suites import Suites, load_suites, parameters
from recon.workbook.read import read_workbook

if TYPE_CHECKING:
    from recon.reconciliation.reconcile import Reconciliation
    from recon.rules.gx import Rules
    from recon.speed.partner import Partner, Session

SUFFIXES = (".xlsx", ".xlsm")
# A step's name → a context manager around it: ``timer("read")``. bench/run.py passes one to time (or
# profile) each step: "collect", "read", "prepare" (on a large batch in a thread while reading and
# reconciling), "reconcile", "prepare_wait", "rules".
Timer = Callable[[str], AbstractContextManager]


def bundled_dir() -> Path:
    """The bundled 2015 edition: ``workbooks/mi2015`` installed in the package, else the checkout's."""
    from recon.shipped import shipped

    found = shipped("workbooks/mi2015")
    if found is None:
        raise UsageError("the bundled 2015 edition (workbooks/mi2015) is not installed; name workbooks or folders")
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
    rule_run: object = None  # recon.rules.gx.RuleRun: its .results are the raw GX results as JSON
    inputs: list[Path] = field(default_factory=list)
    suites: Suites | None = None  # the rule suites it ran with, as read once (reports name them from here)

    @property
    def rules_version(self) -> str:
        """The suites' short hash, printed in reports: ``"9a2a675e7c23"``."""
        return self.suites.version if self.suites is not None else ""

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
    """One workbook, or the one-line reason it cannot be read: whatever fails stays with this file."""
    try:
        return read_workbook(path)
    except UnusableInput as exc:
        return exc
    except Exception as exc:  # read_workbook turns its own surprises into UnusableInput; this is the backstop
        return UnusableInput(path.name, f"unexpected error while reading ({type(exc).__name__})",
                             "send the workbook to the recon maintainers")


def _untimed(_step: str) -> AbstractContextManager:
    return nullcontext()


def prepare_rules(suites: Suites | Path | None = None, raw_results: bool = True) -> Rules:
    """The rule suites (as read, or their folder) loaded into Great Expectations — the great_expectations
    import happens here. ``raw_results=False``: only findings will be asked for (see
    :class:`~recon.rules.gx.Rules`)."""
    speed.defer_unused_imports()
    from recon.rules.gx import Rules

    return Rules(suites, raw_results)


def read_all(paths: list[Path], advance: Callable[[], None] | None = None,
             workers: int | None = None) -> tuple[list[Submission], list[UnusableInput]]:
    """Read every workbook; an unusable one is set aside (with its one-line reason), the rest go on."""
    outcomes, _ = speed.read_each(paths, _read_one, advance, workers)
    return _sorted_out(outcomes)


def merge(files: list[Path]) -> tuple[Reconciliation, list[UnusableInput]]:
    """Read and reconcile, without the rules: what ``recon export`` writes and :func:`revision` compares."""
    from recon.reconciliation.reconcile import reconcile

    subs, bad = read_all(files)
    return reconcile(subs), bad


def revision(path: str | Path) -> dict:
    """One side of ``recon diff`` (or a report's ``--previous``) as a snapshot
    (:mod:`recon.reconciliation.snapshot`): a ``report.json`` or a report folder as stored, a folder of
    workbooks read and reconciled. A revision with an unreadable workbook cannot be compared entry by entry:
    its one-line reason is raised."""
    from recon.inert import line
    from recon.reconciliation import snapshot

    if snapshot.record_path(path) is not None:
        return snapshot.load(path)
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{line(path)}: no such file or folder")
    files = collect([path])
    if not files:
        raise UsageError(f"{line(path)}: no .xlsx workbooks and no {snapshot.REPORT_JSON}")
    rec, bad = merge(files)
    if bad:
        raise bad[0]
    return snapshot.of(rec, label=str(path))


def _sorted_out(outcomes: list) -> tuple[list[Submission], list[UnusableInput]]:
    subs = [o for o in outcomes if isinstance(o, Submission)]
    bad = [o for o in outcomes if isinstance(o, UnusableInput)]
    return subs, bad


def run(paths: Iterable[str | Path], rules_dir: Path | None = None,
        advance: Callable[[], None] | None = None, *, timer: Timer | None = None) -> Result:
    """Collect → read → reconcile → rules: ``run(["workbooks/mi2015"])``. The suites are read first (plain
    JSON: the reconciliation takes its parameters from them); Great Expectations is readied with them when
    the rules are about to run — or, on a large batch, while the workbooks are read and reconciled — and not
    at all when no workbook could be read."""
    timer = timer or _untimed
    with timer("collect"):
        files = collect(paths)
    suites = load_suites(rules_dir)

    def prepare() -> Rules:
        with timer("prepare"):
            return prepare_rules(suites)

    with speed.batch():
        with timer("read"):
            outcomes, prepared = speed.read_each(files, _read_one, advance, meanwhile=prepare)
        subs, bad = _sorted_out(outcomes)
        if bad and not subs:
            return Refused(bad, suites, files)
        from recon.reconciliation.reconcile import reconcile  # pandas: only once something was read

        with timer("reconcile"):
            rec = reconcile(subs, parameters(suites.data))
        with timer("prepare_wait"):
            ready = prepared()
        return _checked(rec, bad, files, ready, timer)


class Refused(Result):
    """What :func:`run` gives when no workbook could be read: the reasons, at once. No rules are prepared
    (they would have nothing to check), and the empty reconciliation, which imports pandas, is made only
    when a report asks for it: ``recon check bomb.xlsx`` says why and exits.

    >>> run(["bomb.xlsx"]).unusable[0].problem                      # doctest: +SKIP
    'suspicious compression ratio 419:1 in xl/worksheets/sheet2.xml (a zip bomb?)'
    """

    def __init__(self, bad: list[UnusableInput], suites: Suites, inputs: list[Path] = ()):
        self.unusable = list(bad)
        self.findings = sorted(_unusable(bad), key=sort_key)
        self.rule_run = None
        self.inputs = list(inputs)
        self.suites = suites

    @property
    def submissions(self) -> list[Submission]:
        return []

    @cached_property
    def reconciliation(self) -> Reconciliation:
        from recon.reconciliation.reconcile import reconcile

        return reconcile([], parameters(self.suites.data))


def _unusable(bad: Iterable[UnusableInput]) -> list[Finding]:
    return [Finding("READ-UNUSABLE", "error", location=e.where, message=e.problem, suggestion=e.fix) for e in bad]


def run_submissions(subs: list[Submission], bad: list[UnusableInput] = (), rules_dir: Path | None = None,
                    inputs: list[Path] = (), prepared: Rules | None = None, *,
                    timer: Timer | None = None, partner: Partner | None = None) -> Result:
    """Reconcile submissions already read (from files, or from an open Excel book) and run the rules:
    ``prepared`` (the suites already loaded into GX, kept on the Result) or else the suites of ``rules_dir``;
    ``partner``: the upload site's second process with the same rules (:mod:`recon.speed.partner`)."""
    from recon.reconciliation.reconcile import reconcile

    timer = timer or _untimed
    ready = prepared or prepare_rules(rules_dir)
    with speed.sharing(ready, partner) as shared:
        with timer("reconcile"):
            rec = reconcile(subs, ready.parameters, entries_ready=shared.entries_ready if shared else None)
        return _checked(rec, bad, inputs, ready, timer, shared)


def _checked(rec: Reconciliation, bad: list[UnusableInput], inputs: list[Path], ready: Rules,
             timer: Timer, shared: Session | None = None) -> Result:
    """The rules on a reconciliation, and the Result: every finding, sorted."""
    with timer("rules"):
        ran = speed.run_rules(ready, rec, shared=shared)
    findings = sorted(_unusable(bad) + rec.findings + ran.findings, key=sort_key)
    return Result(rec, findings, list(bad), ran, list(inputs), ready.loaded)
