"""A suite's failing rows → one :class:`~recon.appeal.finding.Finding` each, in the words of its templates.

An expectation's ``meta`` says what a Finding on a failing row says: ``message``, ``suggestion``,
``expected`` and ``actual`` templates over the frame's columns (``"gap {gap_usd:usd}"``), the column holding
the dollars at stake, and where it points (``location``: a column of Locations, or ``"@amount"`` for the
entry's own cell). Every text stays sayable in another language: it keeps its template (the msgid) and the
row's values.

>>> of_failing(suite, frame, {3: np.array([17, 42])})[0].rule          # doctest: +SKIP
'ENTRY-AMOUNT-MISSING'
"""

from __future__ import annotations

import os
from functools import cache

import numpy as np
import pandas as pd

from recon.appeal.finding import Finding
from recon.language import FORMAT, TEMPLATE_KEYS, Text, said
from recon.reconciliation.reconcile import entry_cells

SEVERITY = {"critical": "error", "warning": "warning", "info": "info"}
# Failing rows fetched per expectation; beyond it recon reports a count (keeps 1M-row batches fast).
MAX_ROWS_PER_RULE = int(os.environ.get("RECON_MAX_ROWS_PER_RULE", 50_000))


def of_failing(suite: dict, frame: pd.DataFrame, failing: dict[int, np.ndarray]) -> list[Finding]:
    """A Finding per failing row of each expectation of ``suite`` (failing: expectation index → the
    ``row_id`` values GX listed, e.g. ``{3: array([17, 42])}``), in the suite's order."""
    expectations = suite["expectations"]
    where = pd.Index(frame["row_id"].to_numpy())  # row_id → position
    return [f for i in sorted(failing) for f in _findings(expectations[i], failing[i], frame, where)]


def _findings(exp: dict, ids: np.ndarray, frame: pd.DataFrame, where: pd.Index) -> list[Finding]:
    meta = exp.get("meta", {})
    severity = SEVERITY.get(str(exp.get("severity", "critical")).lower(), "error")
    positions = where.get_indexer(np.sort(ids)[:MAX_ROWS_PER_RULE])
    # Only the columns a Finding reads: the entries frame has ~40, and thousands of rows may fail.
    wanted = {f for key in ("expected", "actual", "message", "suggestion") for _lit, f, _spec in
              _pieces(meta.get(key) or "") if f} | {meta.get("stake"), meta.get("location", "location"),
                                                    "file", "row", "area", "country", "name", "scope", "region"}
    location = meta.get("location", "")
    if location.startswith("@"):
        wanted.add("col_" + location[1:])
    rows = frame.iloc[positions][[c for c in frame.columns if c in wanted]]
    found = _findings_of(meta, severity, rows)
    more = len(ids) - len(found)
    if more > 0:
        found.append(Finding(meta.get("rule", "?"), severity,
                             message=said("… and {more} more rows fail this rule", more=more),
                             suggestion=said("fix the rows above first; raise RECON_MAX_ROWS_PER_RULE to list all")))
    return found


_FMT = FORMAT  # the message templates' formatter, shared with every other message


@cache
def _pieces(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """A template parsed once: ``"gap {gap_usd:usd}"`` → ``(("gap ", "gap_usd", "usd"),)``."""
    pieces = tuple(_FMT.parse(template))
    if any(conv or (f and not f.isidentifier()) for _lit, f, _spec, conv in pieces):
        return ((template, "\0", ""),)  # conversions or attribute access: the full formatter, below
    return tuple((lit, f, spec or "") for lit, f, spec, _conv in pieces)


def _texts(template: str | None, rows: pd.DataFrame, n: int) -> list[str | None]:
    """``template`` filled for every row of ``rows``, column by column: each field is formatted once per
    distinct value (a categorical's categories, a number column's values), not once per row — thousands
    of rows may fail one rule, and they share a handful of countries and areas."""
    if not template:
        return [None] * n
    pieces = _pieces(template)
    if pieces and pieces[0][1] == "\0":  # the full formatter, row by row
        records = rows.astype(object).to_dict("records")
        return [_FMT.format(template, **r) for r in records]
    columns: list[list[str]] = []
    for lit, f, spec in pieces:
        if f is None:
            columns.append([lit] * n)
            continue
        col = rows[f]
        if isinstance(col.dtype, pd.CategoricalDtype):
            texts = [lit + _FMT.format_field(v, spec) for v in col.cat.categories] + \
                [lit + _FMT.format_field(None, spec)]  # code -1: a missing value
            columns.append(list(map(texts.__getitem__, col.cat.codes.tolist())))
        else:
            seen: dict = {}
            columns.append([seen[v] if v in seen else seen.setdefault(v, lit + _FMT.format_field(v, spec))
                            for v in col.tolist()])
    return ["".join(t) for t in zip(*columns, strict=True)] if columns else [""] * n


def _sayable(template: str | None, rows: pd.DataFrame, english: list[str | None]) -> list:
    """Each row's English text as a :class:`Text` that keeps the suite's template (the msgid) and the row's
    values, so that it can be said in another language."""
    if not template:
        return english
    fields = dict.fromkeys(f for _lit, f, _spec, _conv in _FMT.parse(template) if f)
    values = {f: rows[f].astype(object).tolist() for f in fields if f in rows.columns}
    return [Text(template, {f: v[i] for f, v in values.items()}, english=e) for i, e in enumerate(english)]


def _findings_of(meta: dict, severity: str, rows: pd.DataFrame) -> list[Finding]:
    """One Finding per failing row: ``rows`` holds the columns its templates, stake and location read."""
    n = len(rows)
    rule = meta.get("rule", "?")

    def column(name: str | None, default=None) -> list:
        return rows[name].tolist() if name in rows.columns else [default] * n

    # every text is sayable: words in the reader's language, figures as the reader writes them
    expected, actual, message, suggestion = (_sayable(meta.get(k), rows, _texts(meta.get(k), rows, n))
                                             for k in ("expected", "actual", *TEMPLATE_KEYS))
    stakes = column(meta.get("stake", ""), 0)
    named = column("name")
    area = column("area") if "area" in rows.columns else (
        named if "pie" in meta.get("location", "") or rule.startswith(("AREA", "PIE")) else [None] * n)
    country = column("country") if "country" in rows.columns else (
        named if rule.startswith("COUNTRY") else [None] * n)
    location = meta.get("location", "location")
    # "@amount": the cell of the entry's row, built here for failing rows only
    where = entry_cells(rows, location[1:]).tolist() if location.startswith("@") else column(location)
    regions = [s or r for s, r in zip(column("scope"), column("region"), strict=True)]
    return [Finding(rule=rule, severity=severity, region=g, country=c if isinstance(c, str) else None,
                    area=a if isinstance(a, str) else None, expected=e, actual=act, location=w,
                    message=m or "", suggestion=sg,
                    usd_at_stake=0.0 if st is None or pd.isna(st) else abs(float(st)))
            for g, c, a, e, act, w, m, sg, st in zip(regions, country, area, expected, actual, where, message,
                                                      suggestion, stakes, strict=True)]
