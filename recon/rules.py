"""The Great Expectations adapter: the only module that imports great_expectations.

Suites are plain JSON in ``expectations/`` (one per concern). Each expectation's ``meta`` holds the rule id,
a description and message templates; ``severity`` is GX's own (critical → error, warning, info). Suites are
loaded into an ephemeral context — every expectation is built one by one so that a typo'd type is an error
here rather than silently dropped — and run on the frames of a :class:`~recon.reconcile.Reconciliation`.
Failing rows come back through ``unexpected_index_column_names=["row_id"]`` (``row_id`` is the frame's index,
so GX lists them without a lookup per row) and become Findings. A large frame is validated on its witness
rows (:mod:`recon.witness`), every verdict still GX's own.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import logging
import math
import os
import string
import sys
import time
import types
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from recon import forking, witness
from recon import layout as L
from recon.errors import RulesError
from recon.finding import Finding
from recon.reconcile import Reconciliation, entry_cells
from recon.vocabulary import load

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


def read_suites(directory: Path | None = None) -> dict[str, dict]:
    """The suites as JSON (no GX import): ``{"pie_chart": {"name": ..., "meta": ..., "expectations": [...]}}``."""
    directory = Path(directory or default_dir())
    suites = {}
    for name in SUITES:
        path = directory / f"{name}.json"
        try:
            suites[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise RulesError(f"{path}: cannot read rule suite ({exc})") from exc
    return suites


def parameters(suites: dict[str, dict]) -> dict:
    """Parameters of the reconciliation maths (rounding rule, 100 % target) from the pie-chart suite."""
    return dict(suites["pie_chart"].get("meta", {}).get("parameters", {}))


def rules_version(directory: Path | None = None) -> str:
    """A short hash of the suites' bytes, printed in reports: ``"3f2a9c1b7e04"``."""
    directory = Path(directory or default_dir())
    digest = hashlib.sha256()
    for name in SUITES:
        digest.update((directory / f"{name}.json").read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class RuleRun:
    findings: list[Finding]
    raw: dict = field(default_factory=dict)  # suite → GX ValidationResult (converted to JSON on demand)
    # suite validated on witness rows → [(GX result of a part, what it covered, GX result of its second pass)]
    parts: dict = field(default_factory=dict)
    elsewhere: dict = field(default_factory=dict)  # suite → results JSON from the forked helper (see Rules.run)

    @property
    def results(self) -> dict[str, dict]:
        """The GX results as JSON; converting 1 M rows' worth costs seconds, so only reports ask for it. A
        suite validated on witness rows (see recon.witness) lists its parts' results, and ``meta.recon_witness``
        says what each part covered, with its second pass."""
        out = {name: r.to_json_dict() for name, r in self.raw.items()}
        for name, parts in self.parts.items():
            docs = [r.to_json_dict() for r, _info, _again in parts]
            results = [x for d in docs for x in d["results"]]
            passed = sum(bool(x.get("success")) for x in results)
            out[name] = {
                "success": all(d["success"] for d in docs),
                "results": results,
                "suite_name": name,
                "statistics": {"evaluated_expectations": len(results), "successful_expectations": passed,
                               "unsuccessful_expectations": len(results) - passed,
                               "success_percent": 100 * passed / len(results) if results else None},
                # When it ran: the first part's stamp (see Rules._validate), as for a suite validated whole.
                "meta": {**{k: docs[0]["meta"][k] for k in ("run_id", "validation_time")},
                         "recon_witness": [
                    {**info, "second_pass": again.to_json_dict() if again is not None else None}
                    for _r, info, again in parts]},
            }
        out.update(self.elsewhere)
        return {name: out[name] for name in SUITES if name in out}


def _quiet_gx():
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    for name in ("great_expectations", "great_expectations.core", "great_expectations.expectations"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


# Modules ``import great_expectations`` executes for expectations recon's suites do not use: scipy.stats
# (KL divergence and two KS tests; about 1 s of the 3 s import here) and altair (the KL divergence
# expectation's charts; ~0.4 s by ``-X importtime``, ~0.15 CPU-s measured). GX uses both only inside
# functions.
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


def defer_unused_imports(names: tuple[str, ...] = DEFERRED_IMPORTS) -> None:
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


class Rules:
    """Every suite loaded into an ephemeral GX context, ready to validate.

    Building it imports great_expectations and creates suites, assets and batch definitions — work that
    needs no data, so the pipeline does it in a thread while workbooks are being read.

    >>> Rules().run(reconcile(submissions)).findings[:1]                 # doctest: +SKIP
    [Finding(rule='ENTRY-AMOUNT-MISSING', severity='error', ...)]
    """

    def __init__(self, directory: Path | None = None):
        started = time.perf_counter()
        self.directory = Path(directory or default_dir())
        self.suites = read_suites(self.directory)
        _quiet_gx()
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # recon never talks to the network
        defer_unused_imports()
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
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
        self.prepare_s = time.perf_counter() - started  # import included: what overlapping the reads hides

    def _definition(self, name: str, data: dict, source: str):
        suite = self.context.suites.add(build_suite(self._gx, data, source))
        batch = self._source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        return batch, suite, {e.id: i for i, e in enumerate(suite.expectations)}

    def _validate(self, name: str, frame: pd.DataFrame, data: dict | None = None,
                  indices: list[int] | None = None):
        """One GX run → (result, {expectation index: failing row_ids}); with ``indices``, of only those
        expectations of the suite (a sub-suite, built once)."""
        if indices is not None:
            key = f"{name}[{','.join(map(str, indices))}]"
            if key not in self._defs:
                part = {**data, "name": key, "expectations": [data["expectations"][i] for i in indices]}
                self._defs[key] = self._definition(key, part, str(self.directory / f"{name}.json"))
            name = key
        definition, suite, index = self._defs[name]
        # row_id as the frame's named index: GX then lists failing rows from the index itself instead of one
        # DataFrame.at per failing row (thousands of rows fail in a large archive).
        batch = definition.get_batch(batch_parameters={"dataframe": frame.set_index("row_id")})
        # Batch.validate, not a ValidationDefinition: that also serialises every result into the context's
        # results store, which recon never reads (15–25 % of GX's time on 1 M entries).
        result = batch.validate(suite, expectation_parameters=self.params, result_format=RESULT_FORMAT)
        # What ValidationDefinition.run would stamp, so the attached report still says when it ran.
        from great_expectations.core.run_identifier import RunIdentifier  # imported by GX already

        run_id = RunIdentifier(run_time=datetime.now(UTC))
        result.meta.update(run_id=run_id, validation_time=run_id.run_time)
        failing = {}
        for r in result.results:
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RulesError(f"{name}: {r.expectation_config.meta.get('rule')} failed to run: "
                                 f"{r.exception_info.get('exception_message')}")
            if not r.success:
                ids = []  # [{"row_id": [3, 7]}] (values excluded) or [{"row_id": 3, ...}, ...]
                for d in r.result.get("unexpected_index_list") or []:
                    ids.extend(d["row_id"] if isinstance(d["row_id"], list) else [d["row_id"]])
                i = index[r.expectation_config.id]
                failing[indices[i] if indices is not None else i] = np.array(list(dict.fromkeys(ids)),
                                                                             dtype=np.int64)
        return result, failing

    def run(self, recon: Reconciliation) -> RuleRun:
        """Run every suite on its frame; return Findings and the raw GX results.

        With a second core (on Linux, where fork is safe), the suites on the published tables run in a forked
        child meanwhile: it inherits the context and the frames, and sends back only its findings and
        results as JSON. GX's cost is mostly per expectation, and those suites hold two thirds of them, so
        the two halves take about as long.
        """
        names = list(self.suites)
        aside = [n for n in names if self.suites[n]["meta"]["frame"] != "entries"]
        helper = None
        fork = forking.can_fork() and (os.cpu_count() or 1) > 1 and os.environ.get("RECON_FORK", "1") != "0"
        if aside and fork:
            global _INHERITED
            _INHERITED = (self, recon)
            helper = ProcessPoolExecutor(max_workers=1, mp_context=forking.context())
            elsewhere = helper.submit(_run_inherited, aside)
            names = [n for n in names if n not in aside]
        try:
            out = RuleRun([])
            per_suite = {name: self._run_suite(name, recon, out) for name in names}
            if helper is not None:
                found, docs = elsewhere.result()
                per_suite.update(found)
                out.elsewhere.update(docs)
        finally:
            if helper is not None:
                helper.shutdown()
                _INHERITED = None
        out.findings = [f for name in self.suites for f in per_suite.get(name, [])]
        return out

    def _run_suite(self, name: str, recon: Reconciliation, out: RuleRun) -> list[Finding]:
        data = self.suites[name]
        frame = recon.frame(data["meta"]["frame"])
        parts = witness.plan(data, frame) if witness.applies(frame) else None
        where = pd.Index(frame["row_id"].to_numpy())  # row_id → position, built once per suite
        if parts is None:
            # GX copies its batch through every row condition: hand it only the columns this suite reads.
            cols = [c for c in frame.columns if c in suite_columns(data)]
            out.raw[name], failing = self._validate(name, frame[cols])
        else:
            failing = self._reduced(name, data, frame, parts, out, where)
        return [f for i in sorted(failing) for f in _findings(data["expectations"][i], failing[i], frame, where)]

    def _reduced(self, name: str, data: dict, frame: pd.DataFrame, parts, out: RuleRun,
                 where: pd.Index) -> dict:
        """Validate each part on its witness rows; widen each failure to its groups (see recon.witness).
        ``where`` maps row_id → position in ``frame``."""
        row_ids = frame["row_id"].to_numpy()
        failing: dict[int, np.ndarray] = {}
        out.parts[name] = []
        for part in parts:
            read = suite_columns({"expectations": [data["expectations"][i] for i in part.indices]})
            cols = [c for c in frame.columns if c in read]
            gid = witness.groups(frame, part.keys)
            picked = witness.witnesses(frame, part, gid)
            result, found = self._validate(name, frame.iloc[picked][cols], data, part.indices)
            info = {"rules": [data["expectations"][i]["meta"].get("rule") for i in part.indices],
                    "rows": len(frame), "witness_rows": len(picked), "second_pass_rows": 0}
            for i, ids in found.items():
                if i not in part.on_wide:
                    failing[i] = row_ids[witness.marked(gid, where.get_indexer(ids))]
            again, second = sorted(i for i in found if i in part.on_wide), None
            if again:
                # Only the rules that failed on a wide column, on the rows of their marked groups.
                rows = witness.marked(gid, where.get_indexer(np.concatenate([found[i] for i in again])))
                second, rerun = self._validate(name, frame.iloc[rows][cols], data, again)
                info["second_pass_rows"] = len(rows)
                failing.update(rerun)
            out.parts[name].append((result, info, second))
        return failing


_INHERITED = None  # (Rules, Reconciliation) for the forked helper: fork copies it, nothing is pickled


def _run_inherited(names: list[str]) -> tuple[dict, dict]:
    rules, recon = _INHERITED
    out = RuleRun([])
    found = {name: rules._run_suite(name, recon, out) for name in names}
    return found, out.results


def run(recon: Reconciliation, directory: Path | None = None) -> RuleRun:
    """Run every suite on its frame; return Findings and the raw GX results."""
    return Rules(directory).run(recon)


def suite_columns(data: dict) -> set[str]:
    """Every column a suite's expectations and row conditions name, plus ``row_id``."""
    cols = {"row_id"}
    for exp in data.get("expectations", []):
        cols |= witness.named_columns(exp.get("kwargs", {}))
    return cols


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
        found.append(Finding(meta.get("rule", "?"), severity, message=f"… and {more} more rows fail this rule",
                             suggestion="fix the rows above first; raise RECON_MAX_ROWS_PER_RULE to list all"))
    return found


class _Format(string.Formatter):
    """Message templates: ``{amount:usd}`` → ``1,200,000``, ``{share_pct:pct4}`` → ``2.7359``; blanks → —."""

    def format_field(self, value, spec):
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        if spec == "usd":
            return "—" if missing else f"{value:,.0f}"
        if spec == "int":
            return "0" if missing else f"{int(value)}"
        if spec in ("pct", "pct4"):
            if missing:
                return "—"
            text = f"{value:.4f}".rstrip("0").rstrip(".") if spec == "pct4" else f"{value:.6g}"
            return text
        return "—" if missing else super().format_field(value, spec)


_FMT = _Format()


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


def _findings_of(meta: dict, severity: str, rows: pd.DataFrame) -> list[Finding]:
    """One Finding per failing row: ``rows`` holds the columns its templates, stake and location read."""
    n = len(rows)
    rule = meta.get("rule", "?")

    def column(name: str | None, default=None) -> list:
        return rows[name].tolist() if name in rows.columns else [default] * n

    expected, actual, message, suggestion = (_texts(meta.get(k), rows, n)
                                             for k in ("expected", "actual", "message", "suggestion"))
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
