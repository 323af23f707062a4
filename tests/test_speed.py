"""recon.speed changes how soon findings arrive, never what they are: every path gives the same findings.

Small batches take the plain path under ``RECON_SPEED=auto``, so the rule tests alone would never exercise
the shortcuts: here every rule scenario runs with the switch ``off`` and ``always`` (reader processes, the
forked helper, witness rows), random batches compare both ways, and the 2015 edition runs all three ways.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import fixtures as fx
import pytest
from conftest import MI2015
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import rows, source
from test_rules import ENTRY_CASES, TABLE_CASES
from test_rules import KEYS as RULE_KEYS

from recon import pipeline, rules, speed
from recon.reconciliation.reconcile import reconcile
from recon.speed import collector
from recon.workbook.read import read_source

KEYS = ("rule", "severity", "region", "country", "area", "location", "message", "expected", "actual",
        "suggestion", "usd_at_stake")
WAYS = ("off", "always")


@pytest.fixture(scope="module")
def ready():
    return pipeline.prepare_rules()


def findings(paths: list[Path], way: str, ready) -> list:
    """The findings of ``pipeline.run`` with the speed switch set to ``way`` (the rules prepared once)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RECON_SPEED", way)
        subs, bad = pipeline.read_all(paths)
        return pipeline.run_submissions(subs, bad, prepared=ready).findings


def both_ways(paths: list[Path], ready, keys=RULE_KEYS) -> list[tuple]:
    """The findings flattened to ``keys`` (as the rule tests flatten them), once both ways agree in full."""
    off, always = (findings(paths, way, ready) for way in WAYS)
    assert sorted(f.flat(KEYS) for f in always) == sorted(f.flat(KEYS) for f in off)
    return sorted(f.flat(keys) for f in always)


@pytest.mark.parametrize("case", ENTRY_CASES)
def test_entry_rules_give_the_same_findings_both_ways(tmp_path, ready, case):
    rows_, expected = ENTRY_CASES[case]
    assert both_ways([fx.clean_country(tmp_path, case, rows=rows_)], ready) == sorted(expected)


@pytest.mark.parametrize("case", TABLE_CASES)
def test_table_rules_give_the_same_findings_both_ways(tmp_path, ready, case):
    (rows_, published), expected = TABLE_CASES[case]
    assert both_ways([fx.write(tmp_path, case, rows_, published)], ready) == sorted(expected)


def test_clean_country_and_regional_workbooks_give_no_findings_either_way(tmp_path, ready):
    region = fx.write(tmp_path, "region", [e for e in fx.entries() if e["country"] != "Kenya"], fx.summary())
    assert both_ways([region, fx.clean_country(tmp_path)], ready) == []


def test_duplicates_show_even_when_rows_are_identical(tmp_path, ready):
    # Two identical rows (same amount too) leave a single group: its second row must still be a witness.
    rows_ = fx.KENYA_ENTRIES + [copy.deepcopy(fx.KENYA_ENTRIES[0])]
    path = fx.clean_country(tmp_path, "twice", rows=rows_)
    assert both_ways([path], ready, ("rule", "location")) == [
        ("ENTRY-DUPLICATE", "twice.xlsx › Entries › B2"), ("ENTRY-DUPLICATE", "twice.xlsx › Entries › B5")]


OFFICES = st.lists(st.tuples(rows, st.sampled_from([None, "Kenya", "Burundi"])), min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(OFFICES)
def test_random_batches_give_the_same_findings_both_ways(ready, offices):
    subs = [read_source(source(data, country), Path(f"office-{i}.xlsx")) for i, (data, country) in enumerate(offices)]
    rec = reconcile(subs, ready.parameters)
    off, always = (speed.run_rules(ready, rec, way) for way in WAYS)
    assert [f.flat(KEYS) for f in always.findings] == [f.flat(KEYS) for f in off.findings]


def verdicts(results: dict) -> dict:
    """What each expectation checked and whether it passed (run ids, times and the rows GX saw may differ)."""
    return {name: [(r["expectation_config"]["type"], r["expectation_config"]["meta"]["rule"], r["success"])
                   for r in doc["results"]] for name, doc in results.items()}


def test_the_2015_edition_gives_the_same_findings_and_verdicts_every_way(monkeypatch, mi2015_result):
    """``auto`` (the session's run), ``off`` and ``always`` (reader processes for the ten workbooks, the
    forked helper, witness rows): the same findings in the same order, the same GX verdicts."""
    for way in WAYS:
        monkeypatch.setenv("RECON_SPEED", way)
        other = pipeline.run([MI2015])
        assert [f.flat(KEYS) for f in other.findings] == [f.flat(KEYS) for f in mi2015_result.findings], way
        assert list(other.results) == list(mi2015_result.results) == list(rules.SUITES), way
        assert verdicts(other.results) == verdicts(mi2015_result.results), way
        assert other.rules_version == mi2015_result.rules_version


def test_gx_results_say_how_many_rows_gx_saw(tmp_path, ready):
    # 20 project lines of one (country, area): one group, so its witnesses are fewer than its rows.
    lines = [{"area": "Migration Health", "amount": 1_000 * (i + 1), "duplicate_ok": "Yes"} for i in range(20)]
    subs, _bad = pipeline.read_all([fx.clean_country(tmp_path, "lines", rows=lines)])
    rec = reconcile(subs, ready.parameters)
    whole = speed.run_rules(ready, rec, "off")
    frames = {name: len(rec.frame(data["meta"]["frame"])) for name, data in ready.suites.items()}
    assert whole.rows == frames
    assert {name: doc["meta"]["rows_validated"] for name, doc in whole.results.items()} == frames
    reduced = speed.run_rules(ready, rec, "always")
    assert reduced.rows["entries"] < frames["entries"]  # "always" really hands GX fewer rows
    assert {name: doc["meta"]["rows_validated"] for name, doc in reduced.results.items()} == reduced.rows


def test_suites_validated_on_witness_rows_say_when_they_ran_and_count_their_expectations(tmp_path, ready):
    subs, _bad = pipeline.read_all([fx.clean_region(tmp_path)])
    results = speed.run_rules(ready, reconcile(subs, ready.parameters), "always").results
    for name, data in ready.suites.items():
        meta, stats = results[name]["meta"], results[name]["statistics"]
        assert meta["run_id"]["run_time"] == meta["validation_time"], name
        assert stats["evaluated_expectations"] == len(results[name]["results"]) == len(data["expectations"]), name
        assert stats["successful_expectations"] + stats["unsuccessful_expectations"] == len(data["expectations"])


def _with_expectation(tmp_path: Path, extra: dict) -> Path:
    """A copy of the bundled suites with one more expectation in the entries suite."""
    folder = tmp_path / "suites"
    shutil.copytree(rules.default_dir(), folder)
    path = folder / "entries.json"
    suite = json.loads(path.read_text(encoding="utf-8"))
    suite["expectations"].append(extra)
    path.write_text(json.dumps(suite), encoding="utf-8")
    return folder


META = {"rule": "ENTRY-AMOUNT-ODD", "message": "amount {amount:usd}", "location": "@amount", "stake": "stake"}


@pytest.mark.parametrize(("extra", "fails"), [
    # a share of rows: depends on every row, so no witness can stand for its group
    ({"type": "expect_column_values_to_be_between", "kwargs": {"column": "amount", "max_value": 1_000_000,
                                                               "mostly": 0.6}, "meta": META}, True),
    # an aggregate over the whole column (it names no failing row, so it gives no finding)
    ({"type": "expect_column_max_to_be_between", "kwargs": {"column": "amount", "max_value": 1_000_000},
      "meta": META}, False),
    # a string condition: the columns it reads cannot be known
    ({"type": "expect_column_values_to_be_between", "kwargs": {
        "column": "amount", "max_value": 1_000_000, "row_condition": 'amount>0', "condition_parser": "pandas"},
      "meta": META}, True),
], ids=["mostly", "aggregate", "string-condition"])
def test_suites_the_witness_argument_does_not_cover_give_the_same_findings(tmp_path, extra, fails):
    big = [{"country": "Kenya", "area": "Migration Health", "amount": 2_000_000 + i} for i in range(4)]
    path = fx.clean_country(tmp_path, "big", rows=fx.KENYA_ENTRIES + big)
    found = both_ways([path], pipeline.prepare_rules(_with_expectation(tmp_path, extra)))
    assert ("ENTRY-AMOUNT-ODD" in {f[0] for f in found}) is fails


def test_an_unknown_speed_setting_is_named():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RECON_SPEED", "fast")
        with pytest.raises(ValueError, match="RECON_SPEED='fast'.*off, auto or always"):
            speed.mode()


def test_reader_processes_start_without_pandas_or_great_expectations():
    code = ("import sys, recon.pipeline; "
            "print(sorted(m for m in ('pandas', 'great_expectations', 'openpyxl', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_deferred_gx_imports_still_work_when_an_expectation_uses_them():
    # GX imports scipy.stats and altair for expectations recon does not use; recon defers executing them,
    # and a suite that did use one must still get the real module.
    code = ("import sys; from recon.pipeline import prepare_rules; prepare_rules(); "
            "print(type(sys.modules['scipy.stats']).__name__, type(sys.modules['altair']).__name__); "
            "from scipy import stats; print(round(float(stats.entropy([0.5, 0.5])), 4)); "
            "from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as k; "
            "print(k.alt.Chart.__name__, type(sys.modules['altair']).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["DeferredModule", "DeferredModule", "0.6931", "Chart", "module"]


def test_a_batch_pauses_the_cycle_collector_and_restores_it():
    import gc

    seen = []
    with collector.paused():
        seen.append(gc.isenabled())
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


# --------------------------------------------------- GX's row conditions as masks (recon.speed.gxfilter)
def _comparison(column: str, operator: str, parameter) -> dict:
    return {"type": "comparison", "column": {"name": column}, "operator": operator, "parameter": parameter}


LEAVES = st.one_of(
    st.builds(_comparison, st.just("flag"), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
              st.sampled_from([0, 1, 0.5])),
    st.builds(_comparison, st.just("x"), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
              st.sampled_from([0, 1e-09, -1.5, 2])),
    st.builds(_comparison, st.just("s"), st.sampled_from(["==", "!="]), st.sampled_from(["Funded", "Requirement"])),
    st.builds(_comparison, st.just("s"), st.sampled_from(["IN", "NOT_IN"]),
              st.lists(st.sampled_from(["Funded", "Requirement", "Other"]), min_size=1, max_size=2)),
    st.builds(lambda c, n: {"type": "nullity", "column": {"name": c}, "is_null": n},
              st.sampled_from(["x", "s"]), st.booleans()),
)
CONDITIONS = st.one_of(LEAVES, st.builds(lambda kind, parts: {"type": kind, "conditions": parts},
                                         st.sampled_from(["and", "or"]), st.lists(LEAVES, min_size=2, max_size=3)))
FRAME_ROWS = st.lists(st.fixed_dictionaries({
    "flag": st.sampled_from([0, 1]),
    "x": st.one_of(st.sampled_from([0.0, 1e-09, 2e-09, -1.5, 2.0, 3.25]), st.just(float("nan"))),
    "s": st.sampled_from(["Funded", "Requirement", None])}), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(FRAME_ROWS, CONDITIONS)
def test_a_row_condition_as_a_mask_selects_the_rows_gx_selects(ready, rows, spec):
    import pandas as pd
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine
    from great_expectations.expectations.row_conditions import deserialize_row_condition

    from recon.speed import gxfilter

    frame = pd.DataFrame(rows, columns=["flag", "x", "s"], index=pd.Index(range(7, 7 + len(rows)), name="row_id"))
    original = PandasExecutionEngine.__dict__["_apply_row_condition_filter"]
    engine = PandasExecutionEngine()
    condition = deserialize_row_condition(spec)  # what GX hands the engine: a Condition
    expected = original(engine, frame, condition, {})
    pd.testing.assert_frame_equal(gxfilter.filtered(original)(engine, frame, condition, {}), expected)
    pd.testing.assert_frame_equal(gxfilter.filtered(original)(engine, frame, spec, {}), expected)


def test_a_row_condition_the_masks_do_not_know_goes_to_gx(ready):
    import pandas as pd
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine

    from recon.speed import gxfilter

    frame = pd.DataFrame({"amount": [5, -1, 7]})
    original = PandasExecutionEngine.__dict__["_apply_row_condition_filter"]
    chosen = gxfilter.filtered(original)(PandasExecutionEngine(), frame, "amount>0", {"condition_parser": "pandas"})
    assert list(chosen["amount"]) == [5, 7]
    with pytest.raises(gxfilter.Unknown):
        gxfilter.mask(frame, {"type": "pass_through", "pass_through_filter": "amount>0"})


# ------------------------------------------------------ GX's plan made once per suite (recon.speed.gxplan)
def test_a_suite_validated_again_on_its_kept_plan_gives_each_expectation_one_verdict(tmp_path, ready):
    """Regression: the validation that first kept its plan gave GX's verdict on every expectation twice; and
    a kept plan must say of another frame what a fresh one says."""
    first = fx.clean_country(tmp_path, "kenya", rows=fx.KENYA_ENTRIES)
    (tmp_path / "other").mkdir()
    other = fx.write(tmp_path / "other", "region", fx.entries()[:-2], fx.summary())
    recs = [reconcile(pipeline.read_all([p])[0], ready.parameters) for p in (first, other)]
    for name, data in ready.suites.items():
        said = {}
        for way, rec in (("auto", recs[0]), ("auto", recs[1]), ("off", recs[1])):
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("RECON_SPEED", way)
                result = ready.validate(name, ready.frame(name, rec)).result
            said.setdefault(way, []).append([(r.expectation_config.meta["rule"], r.success) for r in result.results])
        assert [len(v) for v in said["auto"]] == [len(data["expectations"])] * 2, name
        assert said["auto"][1] == said["off"][0], name
    assert ready._plans  # the plans were kept
