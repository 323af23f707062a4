"""The upload site doing its job: a workbook's verdict, the annotated copy, the revision history and what
changed, the office check, HQ's view of every office, the demo, and the CLI that manages offices."""

from __future__ import annotations

import io

import fixtures as fx
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner
from web_site import build, on, upload

from recon.archive import Archive
from recon.cli import app as cli


@pytest.fixture
def site(tmp_path, checker):
    return build(tmp_path, checker)


def test_workbook_with_errors_then_fixed_one_history_and_changes(site, tmp_path):
    kenya = site.office_client(site.kenya_token)
    k = site.kenya.id
    bad = upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_MISSING_AMOUNT))
    assert bad.headers["location"] == f"/offices/{k}/revisions/1"
    page = kenya.get(bad.headers["location"]).text
    assert "has errors" in page and "ENTRY-AMOUNT-MISSING" in page and "kenya.xlsx › Entries › C" in page

    copy = kenya.get(f"/offices/{k}/revisions/1/annotated")
    assert copy.status_code == 200 and copy.headers["content-disposition"].endswith('filename="kenya-checked.xlsx"')
    wb = load_workbook(io.BytesIO(copy.content))
    assert "ENTRY-AMOUNT-MISSING" in {row[1] for row in wb["Findings"].iter_rows(values_only=True)}
    assert kenya.get(f"/offices/{k}/revisions/1/annotated").content == copy.content  # written once, kept

    (tmp_path / "fixed").mkdir()
    good = upload(kenya, site.kenya, fx.clean_country(tmp_path / "fixed", "kenya", fx.KENYA_FIXED))
    page = kenya.get(good.headers["location"]).text
    assert "Clean:" in page and "every rule passes" in page

    office = kenya.get(f"/offices/{k}").text
    assert "revision 2" in office and office.count('<tr>') == 3  # header + two revisions
    changes = kenya.get(f"/offices/{k}/changes?old=1&new=2").text
    assert "amount of Kenya · Migration Health: — → 1,000,000" in changes
    assert "1,500,000" in changes  # the new requirement total


def test_workbook_of_another_office_refused_with_clear_message(site, tmp_path):
    kenya = site.office_client(site.kenya_token)
    r = upload(kenya, site.kenya, fx.write(tmp_path, "uganda", fx.KENYA_FIXED, country="Uganda"))
    rev, = site.archive.revisions(site.kenya.id)
    assert rev.status == "refused" and rev.sha256 is not None
    assert rev.reason.startswith("this workbook is for East and Horn of Africa › Uganda, but this link is for "
                                 "East and Horn of Africa › Kenya")
    assert "Not accepted: this workbook is for East and Horn of Africa › Uganda" in kenya.get(r.headers["location"]).text
    assert site.client().get(f"/offices/{site.kenya.id}/revisions/1/annotated").status_code == 404


def test_every_upload_recorded_nothing_overwritten(site, tmp_path):
    kenya = site.office_client(site.kenya_token)
    book = fx.clean_country(tmp_path, "kenya", fx.KENYA_FIXED)
    for _ in range(2):
        upload(kenya, site.kenya, book)
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "other", fx.KENYA_MISSING_AMOUNT))
    revs = site.archive.revisions(site.kenya.id)
    assert [r.number for r in revs] == [3, 2, 1]
    assert revs[1].sha256 == revs[2].sha256 != revs[0].sha256
    stored = sorted(p for p in (site.data / "files").rglob("*") if p.is_file() and p.parent.name != "tmp")
    assert len(stored) == 2 and all(not p.stat().st_mode & 0o222 for p in stored)  # read-only
    assert site.archive.store.path(revs[2].sha256).read_bytes() == book.read_bytes()


def test_hq_sees_every_office_and_any_revision(site, tmp_path):
    kenya = site.office_client(site.kenya_token)
    upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_FIXED))
    hq = site.hq_client()
    board = hq.get("/hq").text
    assert "Kenya" in board and "Uganda" in board and "missing" in board and "clean" in board
    assert hq.get(f"/offices/{site.uganda.id}").status_code == 200
    assert "Clean:" in hq.get(f"/offices/{site.kenya.id}/revisions/1").text


def test_same_site_on_postgresql(tmp_path, checker):
    with on("postgresql", tmp_path, checker) as site:
        kenya = site.office_client(site.kenya_token)
        upload(kenya, site.kenya, fx.clean_country(tmp_path, "kenya", fx.KENYA_MISSING_AMOUNT))
        (tmp_path / "fixed").mkdir()
        r = upload(kenya, site.kenya, fx.clean_country(tmp_path / "fixed", "kenya", fx.KENYA_FIXED))
        assert "Clean:" in kenya.get(r.headers["location"]).text
        assert [(r.number, r.errors) for r in site.archive.revisions(site.kenya.id)] == [(2, 0), (1, 1)]
        assert "Kenya" in site.hq_client().get("/hq").text


def test_demo_creates_2015_offices_with_their_workbooks_as_revision_1(tmp_path, checker):
    from recon.web import demo

    archive = Archive.open(data=tmp_path / "recon-data")
    offices, password = demo.seed(archive, checker)
    assert len(offices) == 10 and {o.revision for o in offices} == {1}
    rows = {o.key: r for o, r in archive.offices()}
    assert "Global" in rows and rows["East and Horn of Africa"].errors == 1
    assert rows["South-Eastern Europe, Eastern Europe and Central Asia"].errors == 4
    assert archive.login(demo.HQ_USER, password) is not None
    again, _ = demo.seed(archive, checker)  # a second start adds nothing, and the old links stop working
    assert {o.revision for o in again} == {None} and len(archive.offices()) == 10
    assert archive.office_for_token(offices[0].token) is None
    assert archive.office_for_token(again[0].token).office.key == offices[0].key


def test_cli_office_links_and_hq_user(tmp_path, monkeypatch):
    data = ["--data", str(tmp_path / "d")]
    run = CliRunner().invoke
    added = run(cli, ["office", "add", "--region", "east and horn of africa", "--country", "kenya", *data])
    assert added.exit_code == 0, added.output
    key, url = added.output.strip().split(": ")
    assert key == "East and Horn of Africa › Kenya" and url.startswith("http://127.0.0.1:8000/o/")
    archive = Archive.open(data=tmp_path / "d")
    assert archive.office_for_token(url.rsplit("/", 1)[1]) is not None
    twice = run(cli, ["office", "add", "--region", "East and Horn of Africa", "--country", "Kenya", *data])
    assert twice.exit_code == 2 and "exists" in twice.output
    rotated = run(cli, ["office", "rotate", "--region", "East and Horn of Africa", "--country", "Kenya", *data])
    assert archive.office_for_token(url.rsplit("/", 1)[1]) is None
    assert archive.office_for_token(rotated.output.strip().rsplit("/", 1)[1]) is not None
    revoked = run(cli, ["office", "revoke", "--region", "East and Horn of Africa", "--country", "Kenya", *data])
    assert "1 link(s) revoked" in revoked.output
    assert run(cli, ["office", "add", "--region", "Atlantis", *data]).exit_code == 2
    monkeypatch.setenv("RECON_PASSWORD", "a long enough password")
    assert run(cli, ["user", "add", "--hq", "alice", *data]).exit_code == 0
    assert archive.login("alice", "a long enough password") is not None
    assert run(cli, ["user", "add", "bob", *data]).exit_code == 2
