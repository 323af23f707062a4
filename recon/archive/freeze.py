"""Freezing a budget revision: every office's latest accepted upload, reconciled exactly as ``recon reconcile
--report-dir`` does, its report set stored in the archive for good.

>>> frozen = freeze(archive, frozen_by="alice")                          # doctest: +SKIP
>>> frozen.created, frozen.revision.number, sorted(f.name for f in frozen.revision.files)
(True, 1, ['report.html', 'report.json', 'report.md', 'report.xlsx'])

The previous frozen revision's report.json is the ``--previous`` of the new one, so each report says what
changed. Nothing new since the last freeze (same uploads, same rules) → ``created`` is False and nothing is
stored. The report files go into the content-addressed store first; the revision and its file rows are then
committed in one transaction, so a crash leaves at most unreferenced files, never a half-frozen revision.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from recon import pipeline
from recon.appeal.finding import count_by_severity
from recon.archive.store import no_space_is_clear
from recon.language import n, said
from recon.report import FILES


@dataclass
class Frozen:
    revision: object  # recon.archive.BudgetRevision: the new one, or the latest when nothing was new
    created: bool
    message: str  # a recon.language.Text: English, and said again in a page's language


class NothingToFreeze(ValueError):
    """No office has an accepted upload yet."""


def inputs_of(archive) -> list[dict]:
    """``[{"office": "East and Horn of Africa › Kenya", "revision": 2, "filename": "kenya.xlsx",
    "sha256": "…"}]``: what a freeze now would reconcile."""
    return [{"office": o.key, "revision": r.number, "filename": r.filename, "sha256": r.sha256}
            for o, r in archive.latest_accepted()]


@contextlib.contextmanager
def staged_inputs(archive, inputs: list[dict]):
    """The stored workbooks of ``inputs`` in a fresh folder under their offices' file names (a name two
    offices share gets the revision's office prefix), removed afterwards → the folder."""
    with archive.store.scratch() as d:  # under the data folder: a killed run's copies are swept on next start
        folder = d / "inputs"
        folder.mkdir()
        seen: set[str] = set()
        for item in inputs:
            name = item["filename"]
            if name.lower() in seen:
                name = f"{item['office'].replace(' › ', ' - ')} {name}"
            seen.add(name.lower())
            target = folder / name
            try:
                os.link(archive.store.path(item["sha256"]), target)
            except OSError:
                shutil.copyfile(archive.store.path(item["sha256"]), target)
        yield folder


def freeze(archive, *, frozen_by: str, rules_dir: Path | None = None, prepared=None) -> Frozen:
    """Freeze the next budget revision (see the module docstring). ``prepared`` — recon.rules.gx.Rules already
    built (the web's checker has them) — saves building the suites again; the CLI leaves it None.

    Whether anything is new is decided again inside the transaction that numbers the revision
    (:meth:`recon.archive.Archive.record_budget_revision`): of two freezes at once, one creates it and the
    other says "nothing new"; if another revision was frozen while this one was being written, the report is
    written again against it."""
    from recon.archive import AlreadyFrozen, FrozenMeanwhile
    from recon.rules import rules_version

    version = prepared.loaded.version if prepared is not None else rules_version(rules_dir)
    for _attempt in range(FREEZE_RETRIES):
        inputs = inputs_of(archive)
        if not inputs:
            raise NothingToFreeze(said("no office has an accepted upload yet: nothing to freeze"))
        last = archive.budget_revision()
        if last is not None and json.loads(last.inputs) == inputs and last.rules_version == version:
            return _nothing_new(last)
        result, stored = _reports(archive, inputs, last, rules_dir, prepared)
        try:
            rev = archive.record_budget_revision(frozen_by=frozen_by, rules_version=result.rules_version,
                                                 inputs=inputs, counts=count_by_severity(result.findings),
                                                 files=stored, after=last.number if last is not None else None)
        except AlreadyFrozen as exc:
            return _nothing_new(exc.revision)
        except FrozenMeanwhile:
            continue
        return Frozen(rev, True, said("froze budget revision {number}: {offices}, {errors}, {warnings}",
                                      number=rev.number,
                                      offices=n(len(inputs), "{count:,} office", "{count:,} offices"),
                                      errors=n(rev.errors, "{count:,} error", "{count:,} errors"),
                                      warnings=n(rev.warnings, "{count:,} warning", "{count:,} warnings")))
    raise RuntimeError(f"other freezes kept landing first: gave up after {FREEZE_RETRIES} tries")


FREEZE_RETRIES = 5  # each try reconciles again; only a stream of freezes with new uploads between needs more


def _nothing_new(last) -> Frozen:
    return Frozen(last, False, said("nothing new since budget revision {number}: no new upload, same rules — "
                                    "nothing frozen", number=last.number))


def _reports(archive, inputs: list[dict], last, rules_dir: Path | None, prepared):
    """Reconcile ``inputs`` and write the report set against ``last`` into the store → (result, [(name,
    sha256, size)])."""
    from recon.report import write_reports

    with no_space_is_clear(archive.data), staged_inputs(archive, inputs) as folder, \
            archive.store.scratch() as out:
        files = pipeline.collect([folder])
        if prepared is not None:
            subs, bad = pipeline.read_all(files, workers=1)
            result = pipeline.run_submissions(subs, bad, inputs=files, prepared=prepared)
        else:
            result = pipeline.run(files, rules_dir)
        previous = None
        if last is not None:
            previous = Path(out) / "previous.json"
            shutil.copyfile(archive.store.path(_file(last, "report.json").sha256), previous)
        written = write_reports(result, Path(out) / "reports", previous)
        stored = [(name, *archive.store.put_file(written_path))
                  for name, written_path in sorted((p.name, p) for p in written.values())]
    assert sorted(n for n, _, _ in stored) == sorted(FILES)
    return result, stored


def _file(revision, name: str):
    return next(f for f in revision.files if f.name == name)
