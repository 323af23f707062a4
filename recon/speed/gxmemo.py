"""Great Expectations' answers remembered for the length of one validation.

While it validates a suite, GX asks each expectation for its ``configuration`` again and again — for every
metric it plans and for every domain, success and runtime keyword — and each answer rebuilds the
configuration from the expectation's pydantic fields (``meta``, value sets, the row condition), ~150 times
per expectation per run. It also turns each configuration back into an expectation object
(``to_domain_obj``) once per metric. Neither answer can change during the run: GX does not assign to an
expectation or to a configuration while it validates (it substitutes suite parameters into the
configurations first, before it plans anything, and only ``Expectation.save`` assigns a field). So within
:func:`remembered`, each object's first answer is kept and given again; when the run ends the memory goes
with it, so nothing carries over from one upload to the next. An answer that depends only on what an object
holds (a metric's id: an MD5 of its kwargs' JSON, asked of a new dict for every metric GX plans) is keyed
by that content instead (:class:`Shared`), so that every object holding the same shares it.

This module does not import GX: :mod:`recon.rules.gx` hands in the classes.

>>> with remembered([(Expectation, "configuration")]):                 # doctest: +SKIP
...     batch.validate(suite)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

LOCK = threading.RLock()  # the patched attributes are the classes': one validation patches them at a time


Key = Callable[..., tuple | None]


class Shared(tuple):
    """A key that names the answer by the arguments' content alone, for any object: what a key function
    returns for an answer that depends only on what the object holds, not on which object it is (GX builds
    a new dict with the same kwargs for every metric it plans)."""


def _by_object(self, *args, **kwargs) -> tuple | None:
    """The default key: the object alone, for a property or a method called without arguments."""
    return None if args or kwargs else ()


def _remembering(original, key: Key, memo: dict):
    """``original`` with its answers kept in ``memo`` per object and ``key(self, *args)`` (None: not kept)."""

    def answer(self, *args, **kwargs):
        k = key(self, *args, **kwargs)
        if k is None:
            return original(self, *args, **kwargs)
        shared = isinstance(k, Shared)
        k = (id(original), *k) if shared else (id(original), id(self), *k)
        kept = memo.get(k)
        if kept is None or not (shared or kept[0] is self):
            # the object and the arguments are kept alive with the answer, so no id is reused meanwhile
            kept = memo[k] = (self, original(self, *args, **kwargs), args)
        return kept[1]

    return answer


@contextmanager
def remembered(targets: list[tuple[type, str] | tuple[type, str, Key]]) -> Iterator[None]:
    """Within the block, each ``cls.name`` of ``targets`` (a property, or a method) is computed once per
    object — and, for a method, per ``key(self, *args)`` given as the target's third item (the arguments
    it depends on; the default remembers only calls without arguments). The classes are restored when the
    block ends."""
    with LOCK:
        saved, memo = [], {}
        try:
            for cls, name, *how in targets:
                key = how[0] if how else _by_object
                attr = cls.__dict__[name]
                saved.append((cls, name, attr))
                if isinstance(attr, property):
                    setattr(cls, name, property(_remembering(attr.fget, key, memo)))
                else:
                    setattr(cls, name, _remembering(attr, key, memo))
            yield
        finally:
            for cls, name, attr in reversed(saved):
                setattr(cls, name, attr)
            memo.clear()
