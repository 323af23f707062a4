"""Test-only pause points, so that the fault tests (``tests/test_archive_faults.py``) can kill a real process
at an exact moment instead of guessing with sleeps.

Off unless ``RECON_TEST_HOLD`` is set: ``RECON_TEST_HOLD=upload-stored`` makes a process that reaches
``hold("upload-stored")`` create the file ``$RECON_TEST_HOLD_DIR/upload-stored`` and wait there until it is
killed; ``RECON_TEST_HOLD=store-writing:2`` holds on the second time that point is reached (the second report
file of a freeze). Points:

- ``store-writing`` — :meth:`recon.archive.store.FileStore.put_file`, the first chunk written to its temporary
  file, before the file is flushed and moved into place;
- ``upload-stored`` — :func:`recon.intake.receive`, the workbook in the store, its revision not yet recorded.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

_reached: Counter[str] = Counter()


def hold(point: str) -> None:
    wanted = os.environ.get("RECON_TEST_HOLD")
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] != int(nth or 1):
        return
    Path(os.environ.get("RECON_TEST_HOLD_DIR", "."), point).touch()
    while True:  # until the test kills this process
        time.sleep(3600)
