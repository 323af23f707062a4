"""Freezing budget revisions (issue 18): every office's latest accepted upload reconciled, its report set kept
in the archive for good, each report saying what changed since the last one; HQ only, behind CSRF; on SQLite
and on a real PostgreSQL."""

from __future__ import annotations

import json

import fixtures as fx
import web_site
from typer.testing import CliRunner
from web_site import build, csrf, upload

from recon.cli import app as cli

REPORTS = ["report.html", "report.json", "report.md", "report.xlsx"]

site = web_site.site  # the fixture: each test runs on SQLite and on a throwaway PostgreSQL


def freeze(hq):
    return hq.post("/hq/freeze", data={"csrf_token": csrf(hq, "/hq")})


def downloads(hq, number: int) -> dict[str, bytes]:
    out = {}
    for name in REPORTS:
        r = hq.get(f"/hq/budget-revisions/{number}/{name}")
        assert r.status_code == 200, (name, r.status_code)
        assert f'filename="budget-revision-{number}-{name}"' in r.headers["content-disposition"]
        out[name] = r.content
    return out


def test_freeze_then_nothing_new_then_a_fixed_upload_gives_revision_2_with_changes(site, tmp_path):
    kenya, hq = site.office_client(site.kenya_token), site.hq_client()
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_MISSING_AMOUNT))

    r = freeze(hq)
    assert r.status_code == 303
    board = hq.get("/hq").text
    assert "Froze budget revision 1: 1 office, 1 error, 0 warnings" in board
    assert "/hq/budget-revisions/1/report.html" in board
    first, = site.archive.budget_revisions()
    assert (first.number, first.frozen_by, first.errors) == (1, "alice", 1)
    assert sorted(f.name for f in first.files) == REPORTS
    assert json.loads(first.inputs)[0]["office"] == "East and Horn of Africa › Kenya"
    one = downloads(hq, 1)
    assert downloads(hq, 1) == one  # the same bytes on every download
    assert {f.name: site.archive.store.path(f.sha256).read_bytes() for f in first.files} == one
    assert json.loads(one["report.json"])["previous"] is None

    freeze(hq)
    assert "Nothing new since budget revision 1" in hq.get("/hq").text
    assert [b.number for b in site.archive.budget_revisions()] == [1]

    (tmp_path / "fixed").mkdir()
    upload(kenya, site.kenya, fx.clean_country(tmp_path / "fixed", "kenya", fx.KENYA_FIXED))
    freeze(hq)
    assert [b.number for b in site.archive.budget_revisions()] == [2, 1]
    two = downloads(hq, 2)
    record = json.loads(two["report.json"])
    assert record["counts"]["error"] == 0 and record["previous"]["changes"]
    assert "Kenya · Migration Health" in two["report.md"].decode() and "Since the previous revision" in \
        two["report.md"].decode()
    assert downloads(hq, 1) == one  # revision 1 untouched by revision 2


def test_freeze_with_no_accepted_upload_says_so(site):
    hq = site.hq_client()
    assert freeze(hq).status_code == 303
    assert "No office has an accepted upload yet" in hq.get("/hq").text
    assert site.archive.budget_revisions() == []


def test_an_office_cannot_freeze_or_see_the_board_or_download_reports(site, tmp_path):
    kenya, uganda, hq = (site.office_client(site.kenya_token), site.office_client(site.uganda_token),
                         site.hq_client())
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_FIXED))
    freeze(hq)
    token = csrf(uganda, f"/offices/{site.uganda.id}")  # a valid CSRF token of the office's own session
    assert uganda.post("/hq/freeze", data={"csrf_token": token}).status_code == 404
    assert uganda.get("/hq").status_code == 303 and uganda.get("/hq").headers["location"] == "/login"
    assert uganda.get("/hq/budget-revisions/1/report.html").status_code == 404
    assert site.client().get("/hq/budget-revisions/1/report.html").status_code == 404
    assert [b.number for b in site.archive.budget_revisions()] == [1]


def test_freeze_form_without_csrf_token_is_refused(site, tmp_path):
    kenya, hq = site.office_client(site.kenya_token), site.hq_client()
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_FIXED))
    assert hq.post("/hq/freeze", data={}).status_code == 403
    assert hq.post("/hq/freeze", data={"csrf_token": "forged"}).status_code == 403
    assert site.archive.budget_revisions() == []


def test_cli_revision_freeze_and_list(tmp_path, checker):
    site = build(tmp_path, checker)
    kenya = site.office_client(site.kenya_token)
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_MISSING_AMOUNT))
    data = ["--data", str(site.data)]
    run = CliRunner().invoke
    first = run(cli, ["revision", "freeze", *data])
    assert first.exit_code == 0, first.output
    assert "froze budget revision 1: 1 office, 1 error, 0 warnings" in first.output
    again = run(cli, ["revision", "freeze", *data])
    assert again.exit_code == 0 and "nothing new since budget revision 1" in again.output
    listed = run(cli, ["revision", "list", *data])
    assert listed.output.startswith("budget revision 1\t") and "by HQ (command line)" in listed.output
    assert site.archive.budget_revision(1).files[0].name == "report.html"


def test_cli_reconcile_from_the_archive_gives_the_same_output_as_from_the_folder(site, tmp_path):
    from recon.archive.freeze import freeze as freeze_now

    kenya = site.office_client(site.kenya_token)
    book = fx.clean_country(tmp_path, "kenya", fx.KENYA_MISSING_AMOUNT)
    upload(kenya, site.kenya, book)
    freeze_now(site.archive, frozen_by="test")
    run = CliRunner().invoke
    archive = ["--db", site.archive.url, "--data", str(site.data)]
    from_folder = run(cli, ["reconcile", str(book), "--format", "json"])
    for which in ([], ["--revision", "latest"], ["--revision", "1"]):
        from_archive = run(cli, ["reconcile", *archive, *which, "--format", "json"])
        assert from_archive.exit_code == from_folder.exit_code == 1, from_archive.output
        assert json.loads(from_archive.stdout) == json.loads(from_folder.stdout)
    missing = run(cli, ["reconcile", *archive, "--revision", "7"])
    assert missing.exit_code == 2 and "no budget revision 7" in missing.output
    assert run(cli, ["reconcile", str(book), *archive]).exit_code == 2
