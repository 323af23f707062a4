"""Reader processes: many workbooks read at once, and the rules prepared meanwhile.

The reader processes are forked first, while this process holds nothing but the readers' modules (no
pandas, no Great Expectations: cheap to fork, nothing to inherit); then, once a workbook has been read, a
thread here runs ``meanwhile`` while the rest are read — the pipeline prepares the rules there (the
great_expectations import and building every suite, work that needs no data). A batch then pays for that
preparation only once a core is free, and a batch refused whole never pays for it.

>>> parallel([Path("a.xlsx")], workers=2, mode="auto")              # doctest: +SKIP
False
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from recon.speed import forking

# Below this many bytes of workbooks, starting worker processes costs more than it saves (bench/README.md).
PARALLEL_FROM_BYTES = 4 << 20
MAX_CHUNK = 4  # workbooks per reader task (see chunksize)


def parallel(paths: list[Path], workers: int, mode: str) -> bool:
    """Whether these files are read in reader processes: never ``off``; ``always`` for two files or more;
    ``auto`` from :data:`PARALLEL_FROM_BYTES` of workbooks on two or more workers."""
    if mode == "off" or len(paths) < 2:
        return False
    if mode == "always":
        return True
    return workers > 1 and sum(_size(p) for p in paths) >= PARALLEL_FROM_BYTES


def _size(path: Path) -> int:
    """Bytes of a regular file; 0 for anything else or anything unreadable (the reader says why)."""
    try:
        st = os.stat(path)
    except OSError:
        return 0
    return st.st_size if stat.S_ISREG(st.st_mode) else 0


def chunksize(paths: list[Path], workers: int) -> int:
    """Workbooks per task: a few, so that the last tasks end together rather than one core idling while
    the other finishes a long chunk."""
    return max(1, min(MAX_CHUNK, len(paths) // (workers * 8)))


def context():
    """The reader processes' start method: fork where it is safe, so that they start with the readers'
    modules already imported (and nothing else). Elsewhere the default start method re-imports them:
    recon.workbook.read is light, so that costs little."""
    return forking.context()


def in_processes(paths: list[Path], read_one: Callable, advance: Callable[[], None] | None, workers: int,
                 meanwhile: Callable[[], object] | None) -> tuple[list, Callable[[], object] | None]:
    """``read_one`` of every path in ``workers`` processes (an outcome that is an exception is a workbook that
    could not be read), ``meanwhile`` in a thread here from the first one read → (outcomes in ``paths``
    order, a function that gives ``meanwhile``'s value, or None)."""
    outcomes: list = []
    later = None
    helper = ThreadPoolExecutor(max_workers=1) if meanwhile else None
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context()) as pool:
            # map() submits every chunk at once, so all workers are forked before the thread starts.
            results = pool.map(read_one, paths, chunksize=chunksize(paths, workers))
            for outcome in results:
                outcomes.append(outcome)
                # meanwhile starts once a workbook could be read: a batch refused whole never waits for it.
                if helper and later is None and not isinstance(outcome, BaseException):
                    later = helper.submit(meanwhile).result
                if advance:
                    advance()
    finally:
        if helper:
            helper.shutdown(wait=False)
    return outcomes, later or meanwhile
