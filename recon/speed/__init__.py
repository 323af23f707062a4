"""What exists only to go fast: every shortcut recon takes on a large batch, behind one switch.

Nothing here changes a finding; it changes how soon the findings arrive. To follow how workbooks become
findings, read :mod:`recon.pipeline` (collect → read → reconcile → rules) and skip this package: each of its
entry points below does the plain thing when the switch is ``off``.

The switch is the environment variable ``RECON_SPEED``:

- ``auto`` (the default): each shortcut where it pays — reader processes from 4 MB of workbooks on two or
  more cores, witness rows for frames of 10,000 rows or more, the published-table suites in a forked helper
  (Linux, two or more cores, from the main thread), the cycle collector off during a batch (an upload's
  check is a batch of one), GX's unused imports deferred, GX's repeated work within a validation done once,
  and — when only findings are asked for — two GX passes per suite;
- ``off``: none of them — workbooks read one by one, every suite validated whole, in this process;
- ``always``: every shortcut whatever the size (how the tests show that both ways give the same findings).

The shortcuts, one module each:

- :mod:`recon.speed.readers` — a pool of reader processes, with the rules prepared in a thread meanwhile;
- :mod:`recon.speed.witness` — Great Expectations validates a few *witness* rows per group, not every row;
- :mod:`recon.speed.forking` — where fork is safe, and the forked helper that runs some suites meanwhile;
- :mod:`recon.speed.imports` — modules ``import great_expectations`` pulls in but recon never uses, deferred;
- :mod:`recon.speed.collector` — Python's cycle collector off for one batch;
- :mod:`recon.speed.gxmemo` — what GX recomputes within one validation, computed once;
- two passes for a verdict (:func:`run_rules`): which expectations fail, then the rows of only those.

Importing this package stays light (no pandas, no numpy): reader processes are forked from a process that
has imported it.

>>> mode()                                                         # doctest: +SKIP
'auto'
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from recon.errors import UsageError
from recon.speed import collector, gxmemo, imports, readers

if TYPE_CHECKING:
    from recon.reconciliation.reconcile import Reconciliation
    from recon.rules.gx import RuleRun, Rules

MODES = ("off", "auto", "always")


def mode(chosen: str | None = None) -> str:
    """``chosen`` if given (tests force a path this way), else ``RECON_SPEED``, else ``"auto"``."""
    value = chosen or os.environ.get("RECON_SPEED") or "auto"
    if value not in MODES:
        raise UsageError(f"RECON_SPEED={value!r} is not a speed setting: use off, auto or always")
    return value


def batch(chosen: str | None = None) -> AbstractContextManager:
    """Around one whole batch: the cycle collector paused (see :mod:`recon.speed.collector`)."""
    return nullcontext() if mode(chosen) == "off" else collector.paused()


def defer_unused_imports(chosen: str | None = None) -> None:
    """Call before ``import great_expectations`` (see :mod:`recon.speed.imports`)."""
    if mode(chosen) != "off":
        imports.defer_unused()


def remembering(targets: list[tuple], chosen: str | None = None) -> AbstractContextManager:
    """Around one GX validation: each of ``targets``' answers computed once (see :mod:`recon.speed.gxmemo`)."""
    return nullcontext() if mode(chosen) == "off" else gxmemo.remembered(targets)


def read_each(paths: list[Path], read_one: Callable, advance: Callable[[], None] | None = None,
              workers: int | None = None, meanwhile: Callable[[], object] | None = None,
              chosen: str | None = None) -> tuple[list, Callable[[], object] | None]:
    """``[read_one(p) for p in paths]``, in reader processes where it pays; ``advance()`` after each.

    Returns the outcomes in ``paths`` order and ``later``: calling it gives ``meanwhile()``'s value, which
    ran in a thread while the reader processes worked, or runs now (``None`` without ``meanwhile``).
    ``read_one`` must be a module-level function (it may travel to a reader process by name).
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if readers.parallel(paths, workers, mode(chosen)):
        return readers.in_processes(paths, read_one, advance, workers, meanwhile)
    outcomes = []
    for p in paths:
        outcomes.append(read_one(p))
        if advance:
            advance()
    return outcomes, meanwhile


def run_rules(rules: Rules, recon: Reconciliation, chosen: str | None = None) -> RuleRun:
    """``rules.run(recon)`` — the same findings, sooner on a large batch: GX validates each suite's witness
    rows (:func:`recon.speed.witness.validate`), and the suites on the published tables run in a forked
    helper while the entries suite runs here (GX's cost is mostly per expectation, and those suites hold
    most of them)."""
    chosen = mode(chosen)
    if chosen == "off":
        return rules.run(recon)
    from recon.rules.gx import Checked, RuleRun
    from recon.speed import forking, witness

    def check(name: str) -> Checked:
        frame = rules.frame(name, recon)
        gx = partial(rules.validate, name) if rules.raw_results else partial(in_two_passes, rules, name)
        said = witness.validate(rules.suites[name], frame, gx, chosen)
        return Checked(rules.findings(name, frame, said.failing), said.result, said.rows)

    names = list(rules.suites)
    aside = [n for n in names if rules.suites[n]["meta"]["frame"] != "entries"]
    if not (aside and forking.helper_available(chosen)):
        return RuleRun({name: check(name) for name in names})
    with forking.in_child(lambda: {name: check(name).portable() for name in aside}) as elsewhere:
        done = {name: check(name) for name in names if name not in aside}
        done.update(elsewhere.result())
    return RuleRun({name: done[name] for name in names})


def in_two_passes(rules: Rules, name: str, frame, indices: list[int] | None = None):
    """``rules.validate(name, frame, indices)``'s failing rows, when GX's raw results are not wanted: GX
    first says only which expectations fail (about half the metrics, none listing rows — most expectations
    hold on most uploads), then lists the rows of each failing expectation on its own (a sub-suite of one,
    so at most one per expectation is ever built). The result kept is the first pass's."""
    from recon.rules.gx import Validation

    brief = rules.validate(name, frame, indices, brief=True)
    failing, rows = {}, brief.rows
    for i in sorted(brief.failing):
        listed = rules.validate(name, frame, [i])
        failing.update(listed.failing)
        rows += listed.rows
    return Validation(failing, brief.result, rows)
