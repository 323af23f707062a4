"""What exists only to go fast: every shortcut recon takes on a large batch, behind one switch.

Nothing here changes a finding; it changes how soon the findings arrive. To follow how workbooks become
findings, read :mod:`recon.pipeline` (collect → read → reconcile → rules) and skip this package: each of its
entry points below does the plain thing when the switch is ``off``.

The switch is the environment variable ``RECON_SPEED``:

- ``auto`` (the default): each shortcut where it pays — reader processes from 4 MB of workbooks on two or
  more cores, witness rows for frames of 10,000 rows or more, the published-table suites in a forked helper
  (Linux, two or more cores, from the main thread) or, on the upload site, a partner process forked once
  at start that shares every upload's suites, the cycle collector off during a batch (an upload's check is
  a batch of one), GX's unused imports deferred, GX's repeated work within a validation done once, each suite's GX
  plan made once, row conditions applied as masks, and — when only findings are asked for — two GX passes
  per suite;
- ``off``: none of them — workbooks read one by one, every suite validated whole, in this process;
- ``always``: every shortcut whatever the size (how the tests show that both ways give the same findings).

The shortcuts, one module each:

- :mod:`recon.speed.readers` — a pool of reader processes, with the rules prepared in a thread meanwhile;
- :mod:`recon.speed.witness` — Great Expectations validates a few *witness* rows per group, not every row;
- :mod:`recon.speed.forking` — where fork is safe, and the forked helper that runs some suites meanwhile;
- :mod:`recon.speed.partner` — the upload site's partner process, which shares every upload's suites;
- :mod:`recon.speed.imports` — modules ``import great_expectations`` pulls in but recon never uses, deferred;
- :mod:`recon.speed.collector` — Python's cycle collector off for one batch;
- :mod:`recon.speed.gxmemo` — what GX recomputes within one validation, computed once;
- :mod:`recon.speed.gxplan` — GX's plan for validating a suite, made once per suite;
- :mod:`recon.speed.gxfilter` — a row condition applied as its mask, not parsed again as a query;
- two passes for a verdict (:func:`run_rules`): which expectations fail, then the rows of only those.

Importing this package stays light (no pandas, no numpy): reader processes are forked from a process that
has imported it.

>>> mode()                                                         # doctest: +SKIP
'auto'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from recon.errors import UsageError
from recon.speed import collector, gxfilter, gxmemo, gxplan, imports, readers

if TYPE_CHECKING:
    from recon.reconciliation.reconcile import Reconciliation
    from recon.rules.gx import Checked, RuleRun, Rules
    from recon.speed.partner import Partner, Session

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


def validating(targets: list[tuple], plans: dict, validator_cls: type, engine_cls: type,
               chosen: str | None = None) -> AbstractContextManager:
    """Around one GX validation: each of ``targets``' answers computed once (:mod:`recon.speed.gxmemo`),
    the suite's plan made once into ``plans`` by ``validator_cls`` (:mod:`recon.speed.gxplan`), and row
    conditions applied as masks by ``engine_cls`` (:mod:`recon.speed.gxfilter`)."""
    return nullcontext() if mode(chosen) == "off" else _validating(targets, plans, validator_cls, engine_cls)


@contextmanager
def _validating(targets: list[tuple], plans: dict, validator_cls: type, engine_cls: type) -> Iterator[None]:
    # One validation at a time patches GX's classes; the filter goes in first, so that a remembered row
    # condition (one of the targets) is remembered as a mask.
    with gxmemo.LOCK, gxfilter.masks(engine_cls), gxplan.kept(validator_cls, plans), gxmemo.remembered(targets):
        yield


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


def run_rules(rules: Rules, recon: Reconciliation, chosen: str | None = None,
              shared: Session | None = None) -> RuleRun:
    """``rules.run(recon)`` — the same findings, sooner: GX validates each suite's witness rows on a large
    batch (:func:`recon.speed.witness.validate`), and another process checks some suites while this one
    checks the rest (GX's cost is mostly per expectation) — the upload site's partner, through this
    upload's session with it (``shared``, from :func:`sharing`), or else, from a main thread, a helper forked for the
    suites on the published tables (they hold most of the expectations)."""
    chosen = mode(chosen)
    if chosen == "off":
        return rules.run(recon)
    from recon.rules.gx import RuleRun
    from recon.speed import forking

    names = list(rules.suites)

    def here(name: str) -> Checked:
        return check_suite(rules, name, rules.frame(name, recon), chosen)

    aside = [n for n in names if rules.suites[n]["meta"]["frame"] != "entries"]
    if shared is not None:
        from recon.speed.partner import order

        rest = [n for n in order(rules.suites, shared.partner.took) if n not in shared.early_names]
        done = shared.share(rest, lambda n: rules.frame(n, recon), here)
    elif aside and forking.helper_available(chosen):
        with forking.in_child(lambda: {n: here(n).portable() for n in aside}) as elsewhere:
            done = {n: here(n) for n in names if n not in aside}
            done.update(elsewhere.result())
    else:
        done = {n: here(n) for n in names}
    return RuleRun({name: done[name] for name in names})


def check_suite(rules: Rules, name: str, frame, chosen: str) -> Checked:
    """Suite ``name`` on ``frame`` with the shortcuts ``chosen`` allows: witness rows, two passes."""
    from recon.rules.gx import Checked
    from recon.speed import witness

    gx = partial(rules.validate, name) if rules.raw_results else partial(in_two_passes, rules, name)
    said = witness.validate(rules.suites[name], frame, gx, chosen)
    return Checked(rules.findings(name, frame, said.failing), said.result, said.rows)


def start_partner(rules: Rules, chosen: str | None = None) -> Partner | None:
    """The upload site's partner process for ``rules`` (:mod:`recon.speed.partner`), where one may be
    forked now; else None."""
    from recon.speed import partner as partners

    return partners.Partner(rules, check_suite) if partners.available(mode(chosen)) else None


@contextmanager
def sharing(rules: Rules, partner: Partner | None, chosen: str | None = None) -> Iterator[Session | None]:
    """Around one upload's reconciliation and rules: its session with the ``partner``, or None (no partner,
    or the switch ``off``). ``session.entries_ready`` is what the reconciliation calls with the entries
    frame as soon as it is final."""
    if partner is None or not partner.open or mode(chosen) == "off":
        yield None
        return
    on_entries = [n for n, data in rules.suites.items() if data["meta"]["frame"] == "entries"]
    with partner.session(mode(chosen), on_entries) as session:
        yield session


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
