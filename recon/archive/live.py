"""A region's live reconciliation: the latest accepted upload of each of its offices, reconciled now exactly
as ``recon reconcile`` reconciles a folder (the same pipeline), for HQ's board.

>>> inputs = region_inputs(archive, "East and Horn of Africa")            # doctest: +SKIP
>>> [i["office"] for i in inputs]
['East and Horn of Africa › Kenya', 'East and Horn of Africa › Uganda']
>>> result = reconcile_region(archive, inputs, prepared=checker.rules)   # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from recon import pipeline
from recon.archive.freeze import staged_inputs


def region_inputs(archive, region: str) -> list[dict]:
    """``[{"office": …, "revision": 2, "filename": "kenya.xlsx", "sha256": "…"}]`` for ``region``'s offices
    that have an accepted upload (as :func:`recon.archive.freeze.inputs_of`, one region)."""
    return [{"office": o.key, "revision": r.number, "filename": r.filename, "sha256": r.sha256}
            for o, r in archive.latest_accepted() if o.region == region]


def reconcile_region(archive, inputs: list[dict], *, rules_dir: Path | None = None, prepared=None):
    """Reconcile ``inputs`` (see :func:`region_inputs`) → a :class:`recon.pipeline.Result`."""
    with staged_inputs(archive, inputs) as folder:
        files = pipeline.collect([folder])
        subs, bad = pipeline.read_all(files, workers=1)
        return pipeline.run_submissions(subs, bad, rules_dir, files, prepared=prepared)
