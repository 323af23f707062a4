"""Modules ``import great_expectations`` executes but recon never uses, left unexecuted until first used.

GX imports ``scipy.stats`` (for its KL divergence and two Kolmogorov–Smirnov expectations) and ``altair``
(the KL divergence expectation's charts) at import time, yet uses both only inside functions; recon's
suites use none of those expectations. Executing them is a large part of the import (bench/README.md).

>>> defer_unused()                                                   # doctest: +SKIP
>>> type(sys.modules["altair"]).__name__                             # doctest: +SKIP
'DeferredModule'
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

DEFERRED_IMPORTS = ("scipy.stats", "altair")


class DeferredModule(types.ModuleType):
    """Stands in ``sys.modules`` for a module not yet executed; the first attribute it lacks imports the real
    one, which then replaces it everywhere it is looked up again.

    Not importlib's LazyLoader: that loads on *any* attribute, and ``import altair`` itself reads
    ``altair.__spec__`` (is it still initialising?), so it would load at once.
    """

    def __getattr__(self, attr: str):
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)  # also rebinds it on its parent package
        self.__dict__.update(real.__dict__)  # a reference kept from before (GX's ``alt``) works as the real
        return getattr(real, attr)


def defer_unused(names: tuple[str, ...] = DEFERRED_IMPORTS) -> None:
    """Let ``import great_expectations`` bind each of ``names`` without executing it; a suite that does use
    one of those expectations still gets the real module on first use. A submodule is bound on its parent
    too, so that ``from scipy import stats`` finds the stand-in."""
    for name in names:
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)  # imports the parent package (scipy itself is light)
        except ImportError:  # GX declares both; nothing to defer without one
            continue
        if spec is None:
            continue
        module = DeferredModule(name)
        module.__spec__, module.__file__ = spec, spec.origin
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)
