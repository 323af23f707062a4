"""Python's cycle collector paused for one batch.

A batch allocates millions of objects (cells, rows, findings) and keeps most of them to the end, so the
collector keeps re-scanning a growing heap for reference cycles that recon does not make (what that costs:
bench/README.md). Reference counting still frees everything else at once. The upload site pauses it for each
check too: a full collection there walks every object Great Expectations built at start, and lands in the
middle of a verdict.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off in this process — and in the reader processes forked from it meanwhile — and back
    on afterwards if it was on."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
