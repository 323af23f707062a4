"""A frozen budget revision read back, for the commands that read the archive as they read folders:
``recon reconcile|export --db URL --revision N|latest`` get its workbooks as a folder, ``recon diff --db URL 3 4``
its snapshot (:mod:`recon.reconciliation.snapshot`, from the report.json frozen with it, so a diff never reads
the workbooks again).

>>> with workbooks(archive, "latest") as folder:                      # doctest: +SKIP
...     sorted(p.name for p in folder.iterdir())
['kenya.xlsx', 'uganda.xlsx']
>>> snapshot(archive, "3")["label"]                                   # doctest: +SKIP
'budget revision 3'
"""

from __future__ import annotations

import contextlib
import json

from recon.archive.freeze import staged_inputs
from recon.errors import UsageError

LATEST = "latest"


def number(which: str | int | None) -> int | None:
    """``"3"`` → 3; ``"latest"`` or None → None (the latest); anything else is a usage error."""
    if which is None or which == LATEST:
        return None
    if isinstance(which, int) or (isinstance(which, str) and which.isdigit() and int(which) > 0):
        return int(which)
    raise UsageError(f"{which!r}: a budget revision number (1, 2, …) or {LATEST}")


def find(archive, which: str | int | None):
    """The frozen :class:`recon.archive.BudgetRevision` ``which`` names; a usage error naming it if none."""
    n = number(which)
    frozen = archive.budget_revision(n)
    if frozen is None:
        raise UsageError(f"no budget revision {n if n is not None else 'frozen yet'} in the archive; freeze one "
                         "with `recon revision freeze`")
    return frozen


@contextlib.contextmanager
def workbooks(archive, which: str | int | None):
    """The workbooks budget revision ``which`` was frozen from, in a temporary folder under their offices'
    file names (removed afterwards) → the folder."""
    frozen = find(archive, which)
    with staged_inputs(archive, json.loads(frozen.inputs)) as folder:
        yield folder


def snapshot(archive, which: str | int | None) -> dict:
    """Budget revision ``which`` as a :mod:`recon.reconciliation.snapshot`, read from its frozen report.json
    and labelled ``"budget revision 3"``."""
    from recon.reconciliation import snapshot as snap

    frozen = find(archive, which)
    record = next((f for f in frozen.files if f.name == snap.REPORT_JSON), None)
    if record is None or not archive.store.has(record.sha256):
        raise UsageError(f"budget revision {frozen.number}: its report.json is missing from the archive's files "
                         f"({archive.store.root})")
    return {**snap.from_record(archive.store.path(record.sha256)), "label": f"budget revision {frozen.number}"}
