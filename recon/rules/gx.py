"""The Great Expectations adapter — the only module that imports great_expectations.

:class:`Rules` loads the suites (:mod:`recon.rules.suites`) into an ephemeral context — every expectation
built one by one, so that a typo'd type is an error here rather than silently dropped — and validates a frame
of a :class:`~recon.reconciliation.reconcile.Reconciliation` against one of them. Failing rows come back
through ``unexpected_index_column_names=["row_id"]`` (``row_id`` is the frame's index, so GX lists them
without a lookup per row) and become Findings (:mod:`recon.rules.findings`).

:meth:`Rules.run` validates every row of every suite here; :func:`recon.speed.run_rules` gives the same
findings sooner on a large batch, calling :meth:`Rules.validate` (one GX run) and :meth:`Rules.findings`.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from recon import speed
from recon.appeal.finding import Finding
from recon.appeal.vocabulary import load
from recon.errors import RulesError
from recon.reconciliation.reconcile import Reconciliation
from recon.rules.findings import of_failing
from recon.rules.suites import Suites, load_suites, parameters, suite_columns
from recon.workbook import layout as L


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
    """Every suite checked, in :data:`~recon.rules.suites.SUITES` order."""

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

    def __init__(self, suites: Suites | Path | None = None, raw_results: bool = True):
        """``suites``: as already read (:func:`~recon.rules.suites.load_suites`), or their folder (default:
        the shipped ones)."""
        self.loaded = suites if isinstance(suites, Suites) else load_suites(suites)
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
        from great_expectations.validator.validator import Validator as PlanningValidator

        self._gx = gx
        self._validator = Validator
        # recon.speed.gxplan: each suite's GX plan, made once (it does not depend on the data), and the
        # classes the speed wing patches while a validation runs.
        self._plans: dict = {}
        self._old_validator, self._engine = PlanningValidator, PandasExecutionEngine
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
        with speed.validating(self._memo, self._plans, self._old_validator, self._engine):
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
        return of_failing(self.suites[name], frame, failing)

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
