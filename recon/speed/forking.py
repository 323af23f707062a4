"""Where recon may fork, and the forked helper: a function run in a child process that inherits this one.

The reader pool and the rules' helper both ask :func:`context`. The helper (:func:`in_child`) runs a
function in a forked child while the caller goes on: the child inherits the function and everything it
refers to (the prepared rules, the reconciled frames) as they are, so nothing is pickled on the way in;
only the function's value comes back.

>>> can_fork()                                                     # doctest: +SKIP
True
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

_INHERITED: Callable[[], object] | None = None  # what the forked child runs: fork copies it


def can_fork() -> bool:
    """fork only on Linux: macOS offers it but its system libraries are not fork-safe (Python itself
    defaults to spawn there), and Windows has none."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def context():
    """fork where :func:`can_fork`, else the platform's default start method."""
    return multiprocessing.get_context("fork" if can_fork() else None)


def helper_available(mode: str) -> bool:
    """A forked helper needs fork, from the main thread; ``auto`` also wants a second core for it to run on.

    A server checks uploads in worker threads while its other threads run: a lock another thread holds
    at the fork would stay locked in the child, so from any thread but the main one recon validates here."""
    if mode == "off" or not can_fork() or threading.current_thread() is not threading.main_thread():
        return False
    return mode == "always" or (os.cpu_count() or 1) > 1


def _run_inherited():
    return _INHERITED()


@contextmanager
def in_child(fn: Callable[[], object]) -> Iterator[Future]:
    """``fn()`` in a forked child while the ``with`` block runs here; yields the Future of its value (which
    must pickle). The child is forked when the block starts, so it sees the world as it is then."""
    global _INHERITED
    _INHERITED = fn
    helper = ProcessPoolExecutor(max_workers=1, mp_context=context())
    try:
        yield helper.submit(_run_inherited)
    finally:
        helper.shutdown()
        _INHERITED = None
