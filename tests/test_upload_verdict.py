"""An upload's verdict (``intake.Checker``, one per server process) is exactly ``recon check``'s findings,
upload after upload: GX's repeated work is remembered only for one validation, the suites are checked in
two passes (which expectations fail, then the rows of those), and nothing carries over to the next upload.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import fixtures as fx
import pytest
from conftest import MI2015
from test_rules import ENTRY_CASES, TABLE_CASES
from test_rules import KEYS as RULE_KEYS

from recon import pipeline
from recon.intake import as_findings, office_of, stored
from recon.speed import forking, gxmemo
from recon.workbook.read import read_workbook

EHOA = MI2015 / "east-and-horn-of-africa.xlsx"
MISSING_AMOUNT = [{"area": "Migration Health", "amount": None, "status": "Requirement"},
                  {"area": "Migrant Assistance", "amount": 500_000}]
FIXED = [{"area": "Migration Health", "amount": 1_000_000}, {"area": "Migrant Assistance", "amount": 500_000}]


def recon_check(path, monkeypatch) -> list[dict]:
    """``recon check FILE``'s findings as the archive keeps them (JSON + msgids and parameters), every
    shortcut off (the plain path)."""
    with monkeypatch.context() as mp:
        mp.setenv("RECON_SPEED", "off")
        return [stored(f) for f in pipeline.run([path]).findings]


def uploaded(checker, path) -> list[dict]:
    """The findings of ``path``'s upload, checked as the server checks it: in a worker thread."""
    region, country = office_of(read_workbook(path))
    with ThreadPoolExecutor(1) as pool:
        verdict = pool.submit(checker.check, path, region, country).result()
    assert verdict.status == "accepted", verdict.reason
    return verdict.findings


def test_the_same_workbook_checked_twice_gives_recon_checks_findings_both_times(checker, monkeypatch):
    first, second = uploaded(checker, EHOA), uploaded(checker, EHOA)
    assert first == second == recon_check(EHOA, monkeypatch)
    assert {f["rule"] for f in first} == {"PIE-SLICE-MISMATCH", "AREA-NAME-VARIANT"}


def test_a_clean_workbook_after_one_with_errors_has_no_findings(checker, tmp_path, monkeypatch):
    bad = fx.clean_country(tmp_path, "kenya", MISSING_AMOUNT)
    (tmp_path / "fixed").mkdir()
    good = fx.clean_country(tmp_path / "fixed", "kenya", FIXED)
    before = uploaded(checker, bad)
    assert "ENTRY-AMOUNT-MISSING" in {f["rule"] for f in before}
    assert uploaded(checker, good) == recon_check(good, monkeypatch) == []
    assert uploaded(checker, bad) == before == recon_check(bad, monkeypatch)


CASES = {**{(k, "entry", way): v for k, v in ENTRY_CASES.items() for way in ("auto", "always")},
         **{(k, "table", "auto"): v for k, v in TABLE_CASES.items()}}


@pytest.mark.parametrize("case", CASES, ids="-".join)
def test_every_rule_scenario_gets_its_findings_in_two_passes(checker, tmp_path, monkeypatch, case):
    """Each rule's failing and passing cases (tests/test_rules.py holds ``recon check`` to the same list);
    ``always`` adds the witness rows, whose second pass also goes through the two passes."""
    name, kind, way = case
    given, expected = CASES[case]
    path = (fx.clean_country(tmp_path, name, rows=given) if kind == "entry"
            else fx.write(tmp_path, name, given[0], given[1]))
    monkeypatch.setenv("RECON_SPEED", way)
    assert sorted(f.flat(RULE_KEYS) for f in as_findings(uploaded(checker, path))) == sorted(expected)


def test_a_remembered_answer_lasts_one_validation_only():
    class Expectation:
        asked = 0

        @property
        def configuration(self):
            Expectation.asked += 1
            return {"asked": Expectation.asked}

    one, two = Expectation(), Expectation()
    with gxmemo.remembered([(Expectation, "configuration")]):
        assert one.configuration is one.configuration and two.configuration == {"asked": 2}
    assert Expectation.asked == 2
    assert one.configuration == {"asked": 3}  # the class is itself again: asked anew every time
    assert one.configuration == {"asked": 4}


def test_a_remembered_method_answers_per_argument_key():
    class Engine:
        def rows(self, data, condition):
            return [r for r in data if r == condition]

    data = [1, 2, 2]
    with gxmemo.remembered([(Engine, "rows", lambda _self, d, c: (id(d), c))]):
        engine = Engine()
        assert engine.rows(data, 2) is engine.rows(data, 2) and engine.rows(data, 1) == [1]
    assert Engine.rows(engine, data, 2) is not Engine.rows(engine, data, 2)


def test_no_forked_helper_from_a_worker_thread():
    """A server checks uploads in worker threads: forking there could copy a lock another thread holds."""
    seen = []
    worker = threading.Thread(target=lambda: seen.append(forking.helper_available("always")))
    worker.start()
    worker.join()
    assert seen == [False]
    assert forking.helper_available("always") == forking.can_fork()
