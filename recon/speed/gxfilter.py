"""A row condition applied as the boolean mask it stands for, not parsed again as a query string.

Most of recon's expectations hold on some rows only: ``row_condition={"type": "and", "conditions": [...]}``
(``has_summary == 1 and name_known == 1``). GX's pandas engine writes each condition out as a query string
(``PandasExecutionEngine.condition_to_filter_clause``) and hands it to ``DataFrame.query``, which parses it
back — resolvers for every column, a tokenizer, an expression tree — before it compares one column with one
value. On an upload's small frames that parsing is most of a validation's filtering time.

Within :func:`masks`, a condition GX builds from those parts — a comparison (``==``, ``!=``, ``<``, ``<=``,
``>``, ``>=``, in, not in), a null test, and ``and``/``or`` of them — is evaluated directly, with the
operations ``DataFrame.query`` itself performs on them (pandas has no numexpr here, so query evaluates them
in Python with the same operators), and its rows taken the way ``query`` takes them (``.loc`` with the mask).
Anything else (a pass-through string, a condition type GX may add) goes to GX as before. ``tests/test_speed.py``
compares the two on random frames and conditions.

This module does not import GX: :mod:`recon.rules.gx` hands in the engine class.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from contextlib import contextmanager

COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
           ">=": operator.ge}


class Unknown(Exception):
    """A condition this module does not evaluate itself: GX's own filter takes it."""


def mask(data, condition):
    """The boolean Series a GX row condition (its JSON, or a Condition) selects in ``data``:
    ``mask(frame, {"column": {"name": "in_table"}, "operator": "==", "parameter": 1, "type": "comparison"})``.
    Raises :class:`Unknown` for anything but comparisons, null tests, and and/or of them."""
    spec = condition if isinstance(condition, dict) else _as_dict(condition)
    kind = spec.get("type")
    if kind in ("and", "or"):
        parts = [mask(data, c) for c in spec["conditions"]]
        if not parts:
            raise Unknown(kind)
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if kind == "and" else (out | p)
        return out
    if kind == "comparison":
        column, op, value = data[spec["column"]["name"]], str(spec["operator"]), spec["parameter"]
        if op in COMPARE:
            return COMPARE[op](column, value)
        if op in ("IN", "NOT_IN"):
            found = column.isin(list(value))
            return found if op == "IN" else ~found
        raise Unknown(op)
    if kind == "nullity":
        null = data[spec["column"]["name"]].isnull()
        return null if spec["is_null"] else ~null
    raise Unknown(kind)


def _as_dict(condition) -> dict:
    """A Condition object as its JSON (GX's conditions are pydantic models with a ``type`` field)."""
    if not hasattr(condition, "dict") or not hasattr(condition, "type") or isinstance(condition, str):
        raise Unknown(type(condition).__name__)
    return condition.dict()


def filtered(original):
    """``PandasExecutionEngine._apply_row_condition_filter`` evaluating what :func:`mask` knows directly."""

    def apply(self, data, row_condition, domain_kwargs):
        try:
            chosen = mask(data, row_condition)
        except Unknown:
            return original(self, data, row_condition, domain_kwargs)
        return data.loc[chosen]

    return apply


@contextmanager
def masks(engine_cls) -> Iterator[None]:
    """Within the block, ``engine_cls`` (GX's PandasExecutionEngine) filters rows by :func:`mask`."""
    original = engine_cls.__dict__["_apply_row_condition_filter"]
    engine_cls._apply_row_condition_filter = filtered(original)
    try:
        yield
    finally:
        engine_cls._apply_row_condition_filter = original
