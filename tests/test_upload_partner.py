"""The upload site's partner process (:mod:`recon.speed.partner`): an upload whose suites it shares gets the
verdict the checker gives alone; a partner that dies costs speed, never a verdict; a rule error in the
partner is the checker's error; the partner ends with its server — stopped, interrupted or killed — and says
nothing on Ctrl-C."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import fixtures as fx
import pandas as pd
import pytest
from conftest import MI2015
from test_archive_faults import serving
from test_rules import ENTRY_CASES, TABLE_CASES
from test_rules import KEYS as RULE_KEYS
from test_upload_verdict import uploaded

from recon import pipeline
from recon.errors import RulesError
from recon.intake import Checker, as_findings
from recon.reconciliation.reconcile import reconcile
from recon.speed import forking, partner

CAN = forking.can_fork() and (os.cpu_count() or 1) > 1  # where `recon serve` forks one (Linux, 2+ cores)
pytestmark = pytest.mark.skipif(not CAN, reason="a partner is forked on Linux with two or more cores only")


@pytest.fixture(scope="module")
def partnered():
    """A checker built as `recon serve` builds it, from the main thread: with its partner."""
    checker = Checker()
    assert checker.partner is not None and checker.partner.alive
    yield checker
    checker.close()


def alone(checker: Checker, path: Path) -> list[dict]:
    """The verdict's findings with the partner set aside: every suite checked in the worker thread."""
    kept, checker.partner = checker.partner, None
    try:
        return uploaded(checker, path)
    finally:
        checker.partner = kept


def gone(pid: int) -> bool:
    """No such process, or only its zombie (this container's init need not reap an orphan at once)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_gone(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while not gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_the_suites_of_every_bundled_workbook_shared_with_the_partner_give_the_verdict_checked_alone(partnered):
    before = partnered.partner.cpu_seconds
    for path in sorted(MI2015.glob("*.xlsx")):
        assert uploaded(partnered, path) == alone(partnered, path), path.name
    assert partnered.partner.cpu_seconds > before  # the partner did take suites


CASES = {**{(k, "entry"): v for k, v in ENTRY_CASES.items()}, **{(k, "table"): v for k, v in TABLE_CASES.items()}}


@pytest.mark.parametrize("case", CASES, ids="-".join)
def test_each_rule_finds_its_error_whichever_process_checks_its_suite(partnered, tmp_path, case):
    name, kind = case
    given, expected = CASES[case]
    path = (fx.clean_country(tmp_path, name, rows=given) if kind == "entry"
            else fx.write(tmp_path, name, given[0], given[1]))
    shared = uploaded(partnered, path)
    assert shared == alone(partnered, path)
    assert sorted(f.flat(RULE_KEYS) for f in as_findings(shared)) == sorted(expected)


def test_turns_at_the_row_give_every_suite_exactly_once():
    """However the turns of several takers interleave, each index of the row is taken once and none is left."""
    row = forking.context().Array("i", 2)
    for size in range(0, 8):
        row[0], row[1] = 0, size
        taken: list[int] = []

        def take(taken=taken) -> None:
            while (i := partner._take(row)) is not None:
                taken.append(i)

        takers = [threading.Thread(target=take) for _ in range(4)]
        for t in takers:
            t.start()
        for t in takers:
            t.join()
        assert sorted(taken) == list(range(size))


def test_an_upload_that_fails_after_its_entries_went_early_leaves_the_next_upload_a_clean_exchange(partnered):
    """The reconciliation raising after the entries frame was sent: the session still ends the exchange, and
    the next upload's verdict is whole (regression guard for the two-message exchange)."""
    path = MI2015 / "east-and-horn-of-africa.xlsx"
    expected = alone(partnered, path)
    frame = pd.DataFrame({"row_id": [0]})
    with pytest.raises(RuntimeError, match="reconciliation failed"), \
            partnered.partner.session("auto", ["entries"]) as session:
        session.entries_ready(frame)  # the partner validates a frame without the suite's columns: it fails
        raise RuntimeError("reconciliation failed")
    assert uploaded(partnered, path) == expected


def test_a_rule_error_here_while_the_partner_works_leaves_the_next_upload_a_clean_exchange(partnered, tmp_path):
    """The checker's own suite raising while the partner still checks its share: the partner's answer is read
    (and dropped) on the way out, not left in the pipe for a later upload to take as its own (it would then
    get an earlier workbook's findings)."""
    path = MI2015 / "east-and-horn-of-africa.xlsx"
    other = fx.clean_country(tmp_path, "kenya", rows=ENTRY_CASES["unknown-area"][0])
    expected = [alone(partnered, p) for p in (path, other, path)]
    rules = partnered.rules
    rec = reconcile(pipeline.read_all([path])[0], rules.parameters)

    def here(name):
        raise RulesError(f"{name}: failed to run")

    with pytest.raises(RulesError, match="failed to run"), \
            partnered.partner.session("auto", ["entries"]) as session:
        session.entries_ready(rec.entries)
        session.share(partner.order({n: rules.suites[n] for n in rules.suites if n != "entries"}),
                      lambda n: rules.frame(n, rec), here)
    assert [uploaded(partnered, p) for p in (path, other, path)] == expected


def test_a_rule_error_in_the_partner_is_raised_in_the_checker(partnered):
    def fails(_rules, name, _frame, _mode):
        raise RulesError(f"{name}: expectation 3 failed to run")

    helper = partner.Partner(partnered.rules, fails)
    try:
        with pytest.raises(RulesError, match="entries: expectation 3 failed to run"), \
                helper.session("auto", ["entries"]) as session:
            session.entries_ready(None)  # the partner's first suite, before this side takes any
            session.share(["totals"], lambda n: None, lambda n: n)
    finally:
        helper.close()
    assert wait_gone(helper.pid)


def test_a_partner_killed_between_uploads_costs_speed_not_the_verdict(tmp_path, capfd):
    checker = Checker()
    path = MI2015 / "east-and-horn-of-africa.xlsx"
    expected = alone(checker, path)
    os.kill(checker.partner.pid, signal.SIGKILL)
    assert wait_gone(checker.partner.pid)
    assert uploaded(checker, path) == expected
    assert not checker.partner.open
    assert "partner process stopped answering" in capfd.readouterr().err
    assert uploaded(checker, path) == expected  # and the next upload as well, alone from then on


def test_the_partner_ends_when_its_server_is_killed(tmp_path):
    env = {**os.environ, "RECON_SPEED": "auto"}
    with serving(tmp_path / "data", None, env, tmp_path / "serve.log") as server:
        kids = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
        assert len(kids) == 1  # the partner
        server.kill()
        assert wait_gone(int(kids[0]))


def test_ctrl_c_stops_the_server_and_its_partner_without_a_traceback(tmp_path):
    log = tmp_path / "serve.log"
    with serving(tmp_path / "data", None, {**os.environ, "RECON_SPEED": "auto"}, log) as server:
        kids = [int(k) for k in Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()]
        assert len(kids) == 1
        for pid in (server.proc.pid, *kids):  # what a terminal does: Ctrl-C to the whole process group
            os.kill(pid, signal.SIGINT)
        assert server.proc.wait(timeout=60) == 0
        assert wait_gone(kids[0])
    text = log.read_text()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-3000:]
