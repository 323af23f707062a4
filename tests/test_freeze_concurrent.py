"""Two freezes at once (issue 18): whether anything is new is decided inside the transaction that numbers the
revision, so two HQ users pressing "Freeze" together create exactly one budget revision, and a freeze that
another overtook with different uploads writes its report again against the one that landed first. On SQLite
and on a real PostgreSQL.

Both freezes are made to reach the numbering transaction together: each has reconciled and written its
reports against the same latest revision when a barrier lets them commit at once (the reconciliation itself
is run one at a time, as the site's one checking thread does: the GX context is shared).
"""

from __future__ import annotations

import json
import threading
import time

import fixtures as fx
import web_site
from web_site import upload

from recon import pipeline
from recon.archive.freeze import freeze

site = web_site.site  # the fixture: each test runs on SQLite and on a throwaway PostgreSQL


def together(monkeypatch, archive, parties: int = 2):
    """Make ``parties`` freezes reach the numbering transaction together: each one's first attempt to record
    waits at a barrier (a retry goes straight on). The reconciliations run one at a time (one shared GX
    context)."""
    barrier = threading.Barrier(parties, timeout=120)
    first_try = threading.local()
    record, run = archive.record_budget_revision, pipeline.run_submissions
    gx = threading.Lock()

    def record_together(**kw):
        if not getattr(first_try, "done", False):
            first_try.done = True
            barrier.wait()
        return record(**kw)

    monkeypatch.setattr(archive, "record_budget_revision", record_together)
    monkeypatch.setattr(pipeline, "run_submissions", lambda *a, **k: _locked(gx, run, *a, **k))


def freeze_at_once(archive, checker, names: list[str]) -> dict:
    """Freeze from one thread per name at once → {name: Frozen or the exception it raised}."""
    out: dict = {}

    def one(name):
        try:
            out[name] = freeze(archive, frozen_by=name, rules_dir=checker.rules_dir, prepared=checker.rules)
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below, not lost in the thread
            out[name] = exc

    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert all(not t.is_alive() for t in threads)
    return out


def test_two_freezes_at_once_create_exactly_one_revision(site, tmp_path, checker, monkeypatch):
    upload(site.office_client(site.kenya_token), site.kenya,
           fx.clean_country(tmp_path, "kenya", fx.KENYA_MISSING_AMOUNT))
    together(monkeypatch, site.archive)

    out = freeze_at_once(site.archive, checker, ["alice", "bob"])

    assert not [x for x in out.values() if isinstance(x, Exception)], out
    assert sorted(f.created for f in out.values()) == [False, True]
    assert [b.number for b in site.archive.budget_revisions()] == [1]
    loser = next(f for f in out.values() if not f.created)
    assert loser.message == "nothing new since budget revision 1: no new upload, same rules — nothing frozen"
    assert loser.revision.number == 1 and len(loser.revision.files) == 4


def test_two_freezes_at_once_after_a_first_revision_create_exactly_one_more(site, tmp_path, checker,
                                                                           monkeypatch):
    kenya = site.office_client(site.kenya_token)
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_MISSING_AMOUNT))
    freeze(site.archive, frozen_by="first", rules_dir=checker.rules_dir, prepared=checker.rules)
    (tmp_path / "fixed").mkdir()
    upload(kenya, site.kenya, fx.clean_country(tmp_path / "fixed", "kenya", fx.KENYA_FIXED))
    together(monkeypatch, site.archive)

    out = freeze_at_once(site.archive, checker, ["alice", "bob"])

    assert sorted(f.created for f in out.values()) == [False, True], out
    assert [b.number for b in site.archive.budget_revisions()] == [2, 1]


def test_a_freeze_overtaken_by_one_with_other_uploads_reports_changes_since_that_one(site, tmp_path, checker,
                                                                                     monkeypatch):
    """alice's freeze reconciles Kenya's upload only (Uganda's arrived just after she began); bob's, begun a
    moment later, both. Both write their reports against no previous revision and alice commits first: bob's
    report would say what changed since nothing, so he writes it again, as revision 2, against alice's."""
    kenya, uganda = site.office_client(site.kenya_token), site.office_client(site.uganda_token)
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_FIXED))
    (tmp_path / "uganda").mkdir()
    upload(uganda, site.uganda, fx.write(tmp_path / "uganda", "uganda", fx.KENYA_FIXED, country="Uganda"))
    every = site.archive.latest_accepted
    monkeypatch.setattr(site.archive, "latest_accepted", lambda: [
        (o, r) for o, r in every() if threading.current_thread().name != "alice" or o.country == "Kenya"])
    barrier, first_try = threading.Barrier(2, timeout=120), threading.local()
    record = site.archive.record_budget_revision

    def alice_commits_first(**kw):
        if not getattr(first_try, "done", False):
            first_try.done = True
            barrier.wait()
            while threading.current_thread().name == "bob" and not site.archive.budget_revisions():
                time.sleep(0.05)
        return record(**kw)

    monkeypatch.setattr(site.archive, "record_budget_revision", alice_commits_first)
    gx, run = threading.Lock(), pipeline.run_submissions
    monkeypatch.setattr(pipeline, "run_submissions", lambda *a, **k: _locked(gx, run, *a, **k))
    out: dict = {}

    def one(name):
        out[name] = freeze(site.archive, frozen_by=name, rules_dir=checker.rules_dir, prepared=checker.rules)

    threads = [threading.Thread(target=one, args=(n,), name=n) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    assert out["alice"].created and out["bob"].created, out
    assert (out["alice"].revision.number, out["bob"].revision.number) == (1, 2)
    two = site.archive.budget_revision(2)
    assert [i["office"] for i in json.loads(two.inputs)] == ["East and Horn of Africa › Kenya",
                                                             "East and Horn of Africa › Uganda"]
    report = next(f for f in two.files if f.name == "report.json")
    previous = json.loads(site.archive.store.path(report.sha256).read_text())["previous"]
    assert previous is not None, "revision 2's report says what changed since nothing"
    assert {(c["kind"], c["country"]) for c in previous["changes"]} == {("entry-added", "Uganda")}


def _locked(lock, fn, *args, **kw):
    with lock:
        return fn(*args, **kw)
