"""The Great Expectations adapter: suites, GX, findings — the only module that imports great_expectations.

Suites are plain JSON in ``expectations/`` (one per concern). Each expectation's ``meta`` holds the rule id,
a description and message templates; ``severity`` is GX's own (critical → error, warning, info). Suites are
loaded into an ephemeral context — every expectation is built one by one so that a typo'd type is an error
here rather than silently dropped — and run on the frames of a :class:`~recon.reconciliation.reconcile.Reconciliation`.
Failing rows come back through ``unexpected_index_column_names=["row_id"]`` (``row_id`` is the frame's index,
so GX lists them without a lookup per row) and become Findings.

:meth:`Rules.run` validates every row of every suite here; :func:`recon.speed.run_rules` gives the same
findings sooner on a large batch, calling :meth:`Rules.validate` (one GX run) and :meth:`Rules.findings`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from recon import speed
from recon.appeal.finding import Finding
from recon.appeal.vocabulary import load
from recon.errors import RulesError
from recon.language import FORMAT, TEMPLATE_KEYS, Text, said
from recon.reconciliation.reconcile import Reconciliation, entry_cells
from recon.workbook import layout as L

SUITES = ("entries", "country_totals", "area_totals", "pie_chart", "totals")
SEVERITY = {"critical": "error", "warning": "warning", "info": "info"}
# Failing rows fetched per expectation; beyond it recon reports a count (keeps 1M-row batches fast).
MAX_ROWS_PER_RULE = int(os.environ.get("RECON_MAX_ROWS_PER_RULE", 50_000))


def default_dir() -> Path:
    """The suites recon ships with: the copy installed in the package, else the checkout's ``expectations/``."""
    from recon.shipped import shipped

    found = shipped("expectations")
    if found is None:
        raise RulesError("no expectations/ folder found; pass --rules DIR")
    return found


@dataclass(frozen=True)
class Suites:
    """The rule suites as read once from their folder: JSON, each file's SHA-256 and a short version hash
    of them all, e.g. ``Suites(directory, {"entries": {...}, ...}, {"entries": "9c0e…", ...}, "3f2a9c1b7e04")``.
    A report names what it ran with from here, without reading the folder again."""

    directory: Path
    data: dict[str, dict]  # "pie_chart" → {"name": ..., "meta": ..., "expectations": [...]}
    sha256: dict[str, str]
    version: str  # printed in reports


def load_suites(directory: Path | None = None) -> Suites:
    """Every suite of :data:`SUITES` from ``directory`` (default :func:`default_dir`); no GX import."""
    directory = Path(directory or default_dir())
    data, sha256, digest = {}, {}, hashlib.sha256()
    for name in SUITES:
        path = directory / f"{name}.json"
        try:
            raw = path.read_bytes()
            data[name] = json.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RulesError(f"{path}: cannot read rule suite ({exc})") from exc
        sha256[name] = hashlib.sha256(raw).hexdigest()
        digest.update(raw)
    return Suites(directory, data, sha256, digest.hexdigest()[:12])


def read_suites(directory: Path | None = None) -> dict[str, dict]:
    """The suites as JSON (no GX import): ``{"pie_chart": {"name": ..., "meta": ..., "expectations": [...]}}``."""
    return load_suites(directory).data


def parameters(suites: dict[str, dict]) -> dict:
    """Parameters of the reconciliation maths (rounding rule, 100 % target) from the pie-chart suite."""
    return dict(suites["pie_chart"].get("meta", {}).get("parameters", {}))


def rules_version(directory: Path | None = None) -> str:
    """A short hash of the suites' bytes, printed in reports: ``"3f2a9c1b7e04"``."""
    return load_suites(directory).version


def named_columns(node) -> set[str]:
    """Every column an expectation's kwargs (or a row condition) name: ``column``, ``column_A``/``_B``,
    ``column_list`` and a condition's ``{"column": {"name": ...}}``."""
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("column", "column_A", "column_B", "name") and isinstance(value, str):
                out.add(value)
            elif key == "column_list":
                out.update(value)
            else:
                out |= named_columns(value)
    elif isinstance(node, list):
        for item in node:
            out |= named_columns(item)
    return out


def suite_columns(data: dict) -> set[str]:
    """Every column a suite's expectations and row conditions name, plus ``row_id``."""
    cols = {"row_id"}
    for exp in data.get("expectations", []):
        cols |= named_columns(exp.get("kwargs", {}))
    return cols


@dataclass
class Validation:
    """What one GX run said: the failing ``row_id``\\s per expectation (its index in the suite), e.g.
    ``{3: array([17, 42])}``; GX's result (anything with ``.to_json_dict()``); how many rows GX saw."""

    failing: dict[int, np.ndarray]
    result: object
    rows: int


@dataclass
class Checked:
    """One suite checked: its findings, GX's result (or that result as JSON, once it has crossed from
    another process) and how many rows GX saw."""

    findings: list[Finding]
    result: object
    rows: int

    def result_json(self) -> dict:
        return self.result if isinstance(self.result, dict) else self.result.to_json_dict()

    def portable(self) -> Checked:
        """The same, with the result as JSON: what pickles cheaply to another process."""
        return Checked(self.findings, self.result_json(), self.rows)


@dataclass
class RuleRun:
    """Every suite checked, in :data:`SUITES` order."""

    suites: dict[str, Checked]

    @property
    def findings(self) -> list[Finding]:
        return [f for checked in self.suites.values() for f in checked.findings]

    @property
    def results(self) -> dict[str, dict]:
        """The GX results as JSON, each with ``meta.rows_validated``; converting 1 M rows' worth costs
        seconds, so only reports ask for it."""
        return {name: checked.result_json() for name, checked in self.suites.items()}

    @property
    def rows(self) -> dict[str, int]:
        """Rows GX saw per suite: ``{"entries": 788, ...}``."""
        return {name: checked.rows for name, checked in self.suites.items()}


def _quiet_gx():
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    for name in ("great_expectations", "great_expectations.core", "great_expectations.expectations"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def build_suite(gx, data: dict, source: str):
    """JSON suite → ExpectationSuite, raising RulesError for any expectation GX would drop."""
    from great_expectations.expectations.registry import get_expectation_impl

    suite = gx.ExpectationSuite(name=data["name"], meta=data.get("meta", {}))
    for i, exp in enumerate(data.get("expectations", [])):
        rule = exp.get("meta", {}).get("rule", f"#{i}")
        try:
            cls = get_expectation_impl(exp["type"])
            suite.add_expectation(cls(**exp["kwargs"], meta=exp.get("meta", {}),
                                      severity=exp.get("severity", "critical")))
        except Exception as exc:
            raise RulesError(f"{source}: expectation {i} ({rule}, type {exp.get('type')!r}) is invalid: "
                             f"{exc}".splitlines()[0]) from exc
    if len(suite.expectations) != len(data.get("expectations", [])):
        raise RulesError(f"{source}: {len(data['expectations'])} expectations in the file, "
                         f"{len(suite.expectations)} loaded")
    return suite


RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["row_id"],
                 "partial_unexpected_count": 0, "return_unexpected_index_query": False,
                 "exclude_unexpected_values": True}  # the index list carries row_id only: all recon reads
# Whether each expectation holds, and no more: GX plans about half the metrics, none listing rows.
BRIEF_FORMAT = {"result_format": "BOOLEAN_ONLY"}

class Rules:
    """Every suite loaded into an ephemeral GX context, ready to validate.

    Building it imports great_expectations and creates suites, assets and batch definitions — work that
    needs no data, so the pipeline may do it while workbooks are being read.

    >>> Rules().run(reconcile(submissions)).findings[:1]                 # doctest: +SKIP
    [Finding(rule='ENTRY-AMOUNT-MISSING', severity='error', ...)]
    """

    def __init__(self, directory: Path | None = None, raw_results: bool = True):
        self.loaded = load_suites(directory)
        # False: the caller reads the findings only (an upload's verdict), not GX's raw results, so
        # recon.speed may first ask GX which expectations fail and then list the rows of only those.
        self.raw_results = raw_results
        self.directory = self.loaded.directory
        self.suites = self.loaded.data
        _quiet_gx()
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # recon never talks to the network
        import great_expectations as gx
        from great_expectations.core.id_dict import IDDict
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine
        from great_expectations.expectations.expectation import Expectation
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
        from great_expectations.validator.v1_validator import Validator

        self._gx = gx
        self._validator = Validator
        # What GX recomputes many times over in one validation, though the answer cannot change meanwhile
        # (see recon.speed.gxmemo): an expectation's configuration, the expectation a configuration
        # stands for, the batch's rows under a row condition, and the id of a metric's kwargs (an MD5 of
        # their JSON, asked for some thousand times a run of the same few dozen kwargs).
        self._memo = [(Expectation, "configuration"), (ExpectationConfiguration, "to_domain_obj"),
                      (PandasExecutionEngine, "_apply_row_condition_filter", _condition_key),
                      (IDDict, "to_id", _kwargs_key)]
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._source = self.context.data_sources.add_pandas("recon")
        vocab = load()
        self.params = {
            "region_countries": vocab.region_country_pairs(),
            "countries": sorted({c for r in vocab.regions.values() for c in r.countries.names}),
            "areas": vocab.areas.names,
            "statuses": list(L.STATUSES),
        }
        self._defs = {name: self._definition(name, data, str(self.directory / f"{name}.json"))
                      for name, data in self.suites.items()}

    @property
    def parameters(self) -> dict:
        """What the reconciliation maths takes from the suites (see :func:`parameters`)."""
        return parameters(self.suites)

    def _definition(self, name: str, data: dict, source: str):
        suite = self.context.suites.add(build_suite(self._gx, data, source))
        batch = self._source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        return batch, suite, {e.id: i for i, e in enumerate(suite.expectations)}

    def validate(self, name: str, frame: pd.DataFrame, indices: list[int] | None = None,
                 brief: bool = False) -> Validation:
        """One GX run of suite ``name`` on ``frame`` — with ``indices``, of only those expectations of the
        suite (a sub-suite, built once). GX is handed only the columns those expectations read: it copies
        its batch through every row condition. ``brief``: GX says only whether each expectation holds
        (``BOOLEAN_ONLY``); a failing one's entry in ``failing`` is then empty, its rows not listed."""
        data = self.suites[name]
        if indices is not None:
            key = f"{name}[{','.join(map(str, indices))}]"
            if key not in self._defs:
                part = {**data, "name": key, "expectations": [data["expectations"][i] for i in indices]}
                self._defs[key] = self._definition(key, part, str(self.directory / f"{name}.json"))
            read = suite_columns({"expectations": [data["expectations"][i] for i in indices]})
            name = key
        else:
            read = suite_columns(data)
        definition, suite, index = self._defs[name]
        # row_id as the frame's named index: GX then lists failing rows from the index itself instead of one
        # DataFrame.at per failing row (thousands of rows fail in a large archive).
        given = frame[[c for c in frame.columns if c in read]].set_index("row_id")
        # GX's own Validator on the batch definition, not a ValidationDefinition (that also serialises every
        # result into the context's results store, which recon never reads), nor Batch.validate (that fetches
        # the batch once more, fingerprinting the frame again, for a validator of its own).
        validator = self._validator(batch_definition=definition, batch_parameters={"dataframe": given},
                                    result_format=BRIEF_FORMAT if brief else RESULT_FORMAT)
        with speed.remembering(self._memo):
            result = validator.validate_expectation_suite(suite, expectation_parameters=self.params)
        # What ValidationDefinition.run would stamp, so the attached report still says when it ran.
        from great_expectations.core.run_identifier import RunIdentifier  # imported by GX already

        run_id = RunIdentifier(run_time=datetime.now(UTC))
        result.meta.update(run_id=run_id, validation_time=run_id.run_time, rows_validated=len(given))
        failing = {}
        for r in result.results:
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RulesError(f"{name}: {r.expectation_config.meta.get('rule')} failed to run: "
                                 f"{r.exception_info.get('exception_message')}")
            if not r.success:
                ids = []  # [{"row_id": [3, 7]}] (values excluded) or [{"row_id": 3, ...}, ...]
                for d in (r.result or {}).get("unexpected_index_list") or []:
                    ids.extend(d["row_id"] if isinstance(d["row_id"], list) else [d["row_id"]])
                i = index[r.expectation_config.id]
                failing[indices[i] if indices is not None else i] = np.array(list(dict.fromkeys(ids)),
                                                                             dtype=np.int64)
        return Validation(failing, result, len(given))

    def frame(self, name: str, recon: Reconciliation) -> pd.DataFrame:
        """The frame of ``recon`` that suite ``name`` asserts on (its ``meta.frame``: entries, countries, …)."""
        return recon.frame(self.suites[name]["meta"]["frame"])

    def findings(self, name: str, frame: pd.DataFrame, failing: dict[int, np.ndarray]) -> list[Finding]:
        """A Finding per failing row of each expectation of suite ``name``, in the suite's order."""
        expectations = self.suites[name]["expectations"]
        where = pd.Index(frame["row_id"].to_numpy())  # row_id → position
        return [f for i in sorted(failing) for f in _findings(expectations[i], failing[i], frame, where)]

    def check(self, name: str, recon: Reconciliation) -> Checked:
        """Suite ``name`` on every row of its frame → its Findings and GX's result."""
        frame = self.frame(name, recon)
        said = self.validate(name, frame)
        return Checked(self.findings(name, frame, said.failing), said.result, said.rows)

    def run(self, recon: Reconciliation) -> RuleRun:
        """Every suite on every row of its frame, here; Findings and the raw GX results."""
        return RuleRun({name: self.check(name, recon) for name in self.suites})


def _condition_key(_engine, data, row_condition, domain_kwargs) -> tuple:
    """What GX's rows under a row condition depend on: the batch's frame, the condition (a dict or GX's
    condition object, both with a full repr) and its parser."""
    return id(data), repr(row_condition), domain_kwargs.get("condition_parser")


def _kwargs_key(kwargs, id_keys=None, id_ignore_keys=None) -> tuple:
    """What a metric's kwargs id depends on: their content, here as its repr (e.g.
    ``"[('batch_id', 'recon-entries'), ('column', 'area'), ('row_condition', {...}), ...]"``; values GX
    puts there are strings, numbers, None, and dicts and lists of them, whose repr shows everything the id's
    JSON does), and which keys count. Any kwargs holding the same content share one id."""
    from recon.speed.gxmemo import Shared

    return Shared((type(kwargs), repr(sorted(kwargs.items())), repr(id_keys), repr(id_ignore_keys)))


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
