"""Fewer rows for Great Expectations, the same verdicts: the witness reduction of a suite's frame.

The entries suite asks, of every row, row-wise questions (is the name in the set? the amount within bounds?
null?) and one about repetition ((submission, country, area) unique?). Rows that agree on every column the
suite reads, except *wide* numeric columns such as ``amount``, get the same answer to every question about
those columns, and a between/null rule on a wide column fails somewhere in such a group iff it fails on the
group's smallest or largest value, a null row or a non-null row. So Great Expectations validates only those
*witness* rows: one row per group plus those extremes. A suite is validated in parts, each with its own
groups: the row-wise rules together (their groups need no ``submission``), and each repetition rule apart,
keyed by its own columns and keeping a group's first two rows so that a duplicate shows. A failing witness
marks its group, and:

- a rule on group-constant columns fails on every row of a marked group (nothing to recompute);
- a rule on a wide column is run again, by GX, on the rows of its marked groups only.

A suite with anything the argument does not cover (``mostly`` < 1, an aggregate expectation, a wide column
in a row condition) is validated on the whole frame, and so is a small one (below :data:`MIN_ROWS`, where a
second GX pass would cost more than the rows saved) unless the speed switch says ``always``. How many rows
GX saw instead of a million: bench/README.md.

>>> [(p.indices, p.wide, p.repeats) for p in plan(suite_json, entries)]    # doctest: +SKIP
[([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], ['amount', 'amount_fraction'], False), ([10], [], True)]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recon.rules.gx import Validation
from recon.rules.suites import named_columns

# Row-wise expectations: each row's verdict depends on its own value of `column` (and the row condition).
ROW_WISE = {
    "expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_between", "expect_column_values_to_be_null",
    "expect_column_values_to_not_be_null", "expect_column_values_to_match_regex",
    "expect_column_values_to_not_match_regex", "expect_column_value_lengths_to_be_between",
}
# Of those, the ones whose verdict over a group is settled by its min, max, a null and a non-null row.
WIDE_OK = {"expect_column_values_to_be_between", "expect_column_values_to_be_null",
           "expect_column_values_to_not_be_null"}
# Verdicts about repetition across rows (a duplicate needs two witnesses).
REPEATS = {"expect_compound_columns_to_be_unique": "column_list", "expect_column_values_to_be_unique": "column"}


MIN_ROWS = 10_000


def applies(frame: pd.DataFrame, mode: str) -> bool:
    """Whether to look for witness rows at all: ``always``, or ``auto`` on a frame of :data:`MIN_ROWS`."""
    return mode == "always" or (mode == "auto" and len(frame) >= MIN_ROWS)


@dataclass
class Plan:
    """One part of a suite, validated on its own witness frame: the row-wise rules together, and each
    repetition rule apart (it needs ``submission`` in its groups, the row-wise rules do not — together
    they would need ten times the rows)."""

    indices: list[int]  # the suite's expectations in this part
    keys: list[str]  # columns constant within a group
    wide: list[str]  # numeric columns reduced to their extremes
    on_wide: set[int]  # (suite indices) rules that test a wide column: rerun on their marked groups
    repeats: bool = False  # groups keep a second row, so that a duplicate shows


def plan(suite: dict, frame: pd.DataFrame) -> list[Plan] | None:
    """How to reduce ``frame`` for ``suite`` (its JSON), part by part, or None when it must be validated
    whole."""
    tested: list[tuple[str, list[str], set[str]]] = []  # (type, columns tested, condition columns)
    for exp in suite.get("expectations", []):
        kind, kw = exp.get("type"), exp.get("kwargs", {})
        if kw.get("mostly", 1) != 1 or (kind not in ROW_WISE and kind not in REPEATS):
            return None
        cond = kw.get("row_condition")
        if cond is not None and not isinstance(cond, dict):
            return None  # a string condition: its columns cannot be known here
        cols = kw.get(REPEATS.get(kind, "column"))
        cols = [cols] if isinstance(cols, str) else list(cols or [])
        names = named_columns(cond)
        if not cols or any(c not in frame.columns for c in [*cols, *names]):
            return None
        tested.append((kind, cols, names))
    if not tested:
        return None
    conditions = set().union(*(names for _k, _c, names in tested))
    # Wide: float columns only ever tested by between/null rules, never in a condition or a repetition key.
    floats = {c for _k, cols, _n in tested for c in cols if pd.api.types.is_float_dtype(frame[c].dtype)}
    wide = sorted(c for c in floats if c not in conditions and
                  all(kind in WIDE_OK for kind, cols, _n in tested if c in cols))
    parts: dict[tuple, Plan] = {}
    row_wise = [i for i, (kind, _c, _n) in enumerate(tested) if kind in ROW_WISE]
    if row_wise:
        keys = sorted(set().union(*(set(tested[i][1]) | tested[i][2] for i in row_wise)) - set(wide))
        on_wide = {i for i in row_wise if set(tested[i][1]) & set(wide)}
        parts[("row", *keys)] = Plan(row_wise, keys, wide, on_wide)
    for i, (kind, cols, names) in enumerate(tested):
        if kind in REPEATS:
            keys = sorted(set(cols) | names)
            parts.setdefault(("repeat", *keys), Plan([], keys, [], set(), repeats=True)).indices.append(i)
    return list(parts.values())


def groups(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """A group number per row: equal on all ``keys`` ⇔ equal number (NaN equals NaN)."""
    gid = np.zeros(len(frame), dtype=np.int64)
    size = 1
    for key in keys:
        col = frame[key]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes, n = col.cat.codes.to_numpy().astype(np.int64) + 1, len(col.cat.categories) + 1
        else:
            codes, uniques = pd.factorize(col, use_na_sentinel=False)
            codes, n = codes.astype(np.int64), len(uniques) + 1
        if size * n >= 1 << 62:  # compact before the mixed-radix number overflows
            gid, uniques = pd.factorize(gid)
            size = len(uniques)
        gid = gid * n + codes
        size *= n
    return pd.factorize(gid)[0] if len(gid) else gid


def witnesses(frame: pd.DataFrame, p: Plan, gid: np.ndarray) -> np.ndarray:
    """Positions of the witness rows, in frame order: the first row of every group (and its second, for a
    repetition rule) and, per wide column, the rows of its smallest and largest value and its first null."""
    if not len(frame):
        return np.empty(0, dtype=np.int64)
    rank = pd.Series(gid).groupby(gid, sort=False).cumcount().to_numpy()
    picks = [np.flatnonzero(rank < (2 if p.repeats else 1))]
    for col in p.wide:
        values = frame[col].to_numpy(dtype=np.float64)
        missing = np.isnan(values)
        s = pd.Series(values)
        if not missing.all():
            picks.append(s.fillna(np.inf).groupby(gid, sort=False).idxmin().to_numpy())
            picks.append(s.fillna(-np.inf).groupby(gid, sort=False).idxmax().to_numpy())
        if missing.any():
            rows = np.flatnonzero(missing)
            _, first = np.unique(gid[rows], return_index=True)
            picks.append(rows[first])
    return np.unique(np.concatenate(picks))


def marked(gid: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Every row of the groups that the rows at ``positions`` belong to."""
    return np.flatnonzero(np.isin(gid, np.unique(gid[positions])))


def validate(suite: dict, frame: pd.DataFrame, gx: Callable[..., Validation], mode: str) -> Validation:
    """``gx(frame)`` — what Great Expectations says of every row of ``frame`` for ``suite`` (its JSON) —
    from its witness rows where :func:`plan` allows. ``gx`` is GX validation handed in
    (:meth:`recon.rules.gx.Rules.validate` for this suite): ``gx(rows)`` validates ``rows`` against the whole suite,
    ``gx(rows, indices)`` against its expectations ``indices`` only. The same failing rows either way."""
    parts = plan(suite, frame) if applies(frame, mode) else None
    if parts is None:
        return gx(frame)
    row_ids = frame["row_id"].to_numpy()
    where = pd.Index(row_ids)  # row_id → position in frame
    failing: dict[int, np.ndarray] = {}
    runs, rows = [], 0
    for part in parts:
        gid = groups(frame, part.keys)
        first = gx(frame.iloc[witnesses(frame, part, gid)], part.indices)
        rows += first.rows
        for i, ids in first.failing.items():
            if i not in part.on_wide:
                failing[i] = row_ids[marked(gid, where.get_indexer(ids))]
        again = sorted(i for i in first.failing if i in part.on_wide)
        if again:
            # Only the rules that failed on a wide column, on the rows of their marked groups.
            picked = marked(gid, where.get_indexer(np.concatenate([first.failing[i] for i in again])))
            second = gx(frame.iloc[picked], again)
            rows += second.rows
            failing.update(second.failing)
        runs.append(first.result)
    return Validation(failing, InParts(suite["name"], runs, rows), rows)


@dataclass
class InParts:
    """The GX results of a suite validated part by part, read as one: the parts' first passes (a second
    pass only narrows a marked group down to its failing rows), stamped with the first part's run."""

    name: str
    results: list  # GX ValidationResult per part
    rows: int  # rows GX saw, every pass of every part

    def to_json_dict(self) -> dict:
        docs = [r.to_json_dict() for r in self.results]
        results = [x for d in docs for x in d["results"]]
        passed = sum(bool(x.get("success")) for x in results)
        return {
            "success": all(d["success"] for d in docs),
            "results": results,
            "suite_name": self.name,
            "statistics": {"evaluated_expectations": len(results), "successful_expectations": passed,
                           "unsuccessful_expectations": len(results) - passed,
                           "success_percent": 100 * passed / len(results) if results else None},
            "meta": {**{k: docs[0]["meta"][k] for k in ("run_id", "validation_time")}, "rows_validated": self.rows},
        }
