"""Where recon may fork: the read pool and the rules' helper process both ask here.

>>> can_fork()                                                     # doctest: +SKIP
True
"""

from __future__ import annotations

import multiprocessing
import sys


def can_fork() -> bool:
    """fork only on Linux: macOS offers it but its system libraries are not fork-safe (Python itself
    defaults to spawn there), and Windows has none."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def context():
    """fork where :func:`can_fork`, else the platform's default start method."""
    return multiprocessing.get_context("fork" if can_fork() else None)
