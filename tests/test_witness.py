"""The witness reduction (recon/witness.py) gives exactly the findings of validating every row.

Small batches are validated whole, so the rule tests alone would never exercise the reduction: here every
rule scenario runs again with ``RECON_WITNESS=always``, random batches compare both ways, and the plan's
fallbacks are pinned.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import fixtures as fx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import rows, source
from test_rules import ENTRY_CASES, TABLE_CASES, flat

from recon import pipeline, rules, witness
from recon.read import _clean_ascii, _clean_column, _positions_not_numbers, read_source
from recon.reconcile import reconcile

KEYS = ("rule", "severity", "country", "area", "location", "message", "expected", "actual")


@pytest.fixture(scope="module")
def ready():
    return rules.Rules()


@pytest.mark.parametrize("case", ENTRY_CASES)
def test_entry_rules_give_their_findings_on_witness_rows(tmp_path, monkeypatch, case):
    monkeypatch.setenv("RECON_WITNESS", "always")
    rows_, expected = ENTRY_CASES[case]
    path = fx.clean_country(tmp_path, case, rows=rows_)
    assert flat([path]) == sorted(expected)


@pytest.mark.parametrize("case", TABLE_CASES)
def test_table_rules_give_their_findings_on_witness_rows(tmp_path, monkeypatch, case):
    monkeypatch.setenv("RECON_WITNESS", "always")
    (rows_, published), expected = TABLE_CASES[case]
    assert flat([fx.write(tmp_path, case, rows_, published)]) == sorted(expected)


def test_always_really_reduces_and_auto_leaves_small_frames_whole(tmp_path, monkeypatch, ready):
    rec = reconcile([pipeline.read_workbook(fx.clean_region(tmp_path))], rules.parameters(ready.suites))
    monkeypatch.setenv("RECON_FORK", "0")  # every suite in this process, so that its parts are visible here
    monkeypatch.setenv("RECON_WITNESS", "always")
    assert set(ready.run(rec).parts) == set(rules.SUITES)
    monkeypatch.setenv("RECON_WITNESS", "auto")
    assert ready.run(rec).parts == {}


def test_a_suite_validated_on_witness_rows_says_when_it_ran_and_counts_its_expectations(tmp_path, monkeypatch,
                                                                                         ready):
    rec = reconcile([pipeline.read_workbook(fx.clean_region(tmp_path))], rules.parameters(ready.suites))
    monkeypatch.setenv("RECON_FORK", "0")
    monkeypatch.setenv("RECON_WITNESS", "always")
    results = ready.run(rec).results
    for name, data in ready.suites.items():
        meta, stats = results[name]["meta"], results[name]["statistics"]
        assert meta["run_id"]["run_time"] == meta["validation_time"], name
        assert stats["evaluated_expectations"] == len(results[name]["results"]) == len(data["expectations"]), name
        assert stats["successful_expectations"] + stats["unsuccessful_expectations"] == len(data["expectations"])


OFFICES = st.lists(st.tuples(rows, st.sampled_from([None, "Kenya", "Burundi"])), min_size=1, max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(OFFICES)
def test_random_batches_give_the_same_findings_reduced_or_whole(ready, offices):
    subs = [read_source(source(data, country), Path(f"office-{i}.xlsx")) for i, (data, country) in enumerate(offices)]
    rec = reconcile(subs, rules.parameters(ready.suites))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RECON_WITNESS", "0")
        whole = ready.run(rec)
        mp.setenv("RECON_WITNESS", "always")
        reduced = ready.run(rec)
    assert sorted(f.flat(KEYS) for f in reduced.findings) == sorted(f.flat(KEYS) for f in whole.findings)


def test_duplicates_show_even_when_rows_are_identical(tmp_path, monkeypatch):
    # Two identical rows (same amount too) leave a single group: its second row must still be a witness.
    rows_ = fx.KENYA_ENTRIES + [copy.deepcopy(fx.KENYA_ENTRIES[0])]
    monkeypatch.setenv("RECON_WITNESS", "always")
    found = flat([fx.clean_country(tmp_path, "twice", rows=rows_)], ("rule", "location"))
    assert found == [("ENTRY-DUPLICATE", "twice.xlsx › Entries › B2"), ("ENTRY-DUPLICATE", "twice.xlsx › Entries › B5")]


def _suite(**kwargs) -> dict:
    return {"expectations": [{"type": "expect_column_values_to_be_between", "kwargs": {"column": "amount",
                                                                                     **kwargs}}]}


@pytest.mark.parametrize("suite", [
    _suite(min_value=0, mostly=0.9),  # a share of rows: depends on every row
    _suite(min_value=0, row_condition="status == 'Funded'"),  # a string condition: columns unknown
    {"expectations": [{"type": "expect_column_mean_to_be_between", "kwargs": {"column": "amount"}}]},
    {"expectations": []},
], ids=["mostly", "string-condition", "aggregate", "empty"])
def test_plan_validates_whole_what_the_argument_does_not_cover(suite, mi2015_result):
    assert witness.plan(suite, mi2015_result.reconciliation.entries) is None


def test_plan_for_the_entries_suite(mi2015_result):
    parts = witness.plan(rules.read_suites()["entries"], mi2015_result.reconciliation.entries)
    row_wise, repeat = parts
    assert row_wise.wide == ["amount", "amount_fraction"] and not row_wise.repeats
    assert "submission" not in row_wise.keys  # why the repetition rule is a part of its own
    assert repeat.repeats and repeat.keys == ["area", "country", "duplicate_ok", "submission"]


def test_a_wide_column_in_a_condition_is_a_key(mi2015_result):
    suite = {"expectations": [
        _suite(min_value=0)["expectations"][0],
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "status", "row_condition": {
            "type": "comparison", "column": {"name": "amount"}, "operator": ">", "parameter": 0}}}]}
    (part,) = witness.plan(suite, mi2015_result.reconciliation.entries)
    assert part.wide == [] and "amount" in part.keys


def test_the_forked_helper_gives_the_same_findings_and_results(monkeypatch, mi2015_result):
    assert set(mi2015_result.rule_run.elsewhere) == {"country_totals", "area_totals", "pie_chart", "totals"}
    monkeypatch.setenv("RECON_FORK", "0")  # everything in this process
    alone = pipeline.run([pipeline.bundled_dir()])
    assert alone.rule_run.elsewhere == {}
    assert [f.flat(KEYS) for f in alone.findings] == [f.flat(KEYS) for f in mi2015_result.findings]
    assert list(alone.results) == list(mi2015_result.results) == list(rules.SUITES)

    def verdicts(results):  # run ids and times differ between runs; what was checked and found must not
        return {name: [(r["expectation_config"]["type"], r["success"], r["result"]) for r in doc["results"]]
                for name, doc in results.items()}

    assert verdicts(alone.results) == verdicts(mi2015_result.results)


def test_clean_text_check_is_exact():
    assert _clean_ascii("Kenya\x00Uganda") and _clean_ascii("") and _clean_ascii("a b\x00\x00c")
    for unclean in ("Kenya \x00Uganda", " a", "a ", "a  b", "a\tb", "a\x1fb", "é"):
        assert not _clean_ascii(unclean), repr(unclean)
    assert _clean_column([1.0, True, "a "]) == ["1", "True", "a"]  # True == 1.0, yet each keeps its text
    assert _clean_column(["Kenya", None, ""]) == ["Kenya", "", ""]


def test_positions_of_amounts_that_are_not_numbers():
    assert _positions_not_numbers([1.0, "", 2.0, ""]) == [1, 3]
    assert _positions_not_numbers([1.0, True, 1, None, "x", "", 1.0]) == [1, 3, 4, 5]
    assert _positions_not_numbers([1.0, 2]) == [] and _positions_not_numbers([[1], 2.0, "a"]) == [0, 2]


def test_reader_processes_start_without_pandas_or_great_expectations():
    code = ("import sys, recon.pipeline; "
            "print(sorted(m for m in ('pandas', 'great_expectations', 'openpyxl', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unused_gx_imports_wait_until_an_expectation_uses_them():
    # GX imports scipy.stats and altair for expectations recon does not use; recon defers executing them.
    code = ("import sys; from recon.rules import Rules; Rules(); "
            "print(type(sys.modules['scipy.stats']).__name__, type(sys.modules['altair']).__name__, "
            "'narwhals' in sys.modules); "
            "from scipy import stats; print(round(float(stats.entropy([0.5, 0.5])), 4)); "
            "from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as k; "
            "print(k.alt.Chart.__name__, type(sys.modules['altair']).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["DeferredModule", "DeferredModule", "False", "0.6931", "Chart", "module"]


def test_a_batch_runs_without_the_cycle_collector_and_restores_it():
    import gc

    seen = []
    with pipeline.without_cycle_collector():
        seen.append(gc.isenabled())
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        with pipeline.without_cycle_collector():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_reader_tasks_stay_small_so_the_cores_finish_together():
    files = [Path(f"{i}.xlsx") for i in range(1000)]
    assert pipeline.chunksize(files, 2) == pipeline.MAX_CHUNK
    assert pipeline.chunksize(files[:20], 2) == 1


def test_raw_gx_results_still_say_when_they_ran(mi2015_result):
    # Batch.validate stamps no run; recon adds what ValidationDefinition.run did, for the attached report.
    for name, result in mi2015_result.results.items():
        assert result["meta"]["run_id"]["run_time"] == result["meta"]["validation_time"], name
        assert result["statistics"]["evaluated_expectations"] == len(result["results"]) > 0, name
